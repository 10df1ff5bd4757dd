/**
 * Embedded mode: every service and the gateway in this one process, each on
 * its own loopback port, talking gRPC exactly as in mesh mode.
 */
import { startAccountService } from "@marquee/account";
import { startContentService } from "@marquee/content";
import { startFeedbackService } from "@marquee/feedback";
import { startGateway } from "@marquee/gateway";
import { createLogger, runUntilSignal } from "@marquee/kit";
import { startRecommendationService } from "@marquee/recommendation";
import { startStreamingService } from "@marquee/streaming";
import { startUserService } from "@marquee/user";

const log = createLogger("marquee");
const services = await Promise.all([
  startUserService(),
  startContentService(),
  startStreamingService(),
  startRecommendationService(),
  startAccountService(),
  startFeedbackService(),
]);
const gateway = await startGateway();
log.info({ url: gateway.url }, "Marquee is up");
process.stdout.write(`\nMarquee is running at ${gateway.url}  (Ctrl-C stops it)\n\n`);

runUntilSignal(log, async () => {
  await gateway.close();
  await Promise.all(services.map((s) => s.close()));
});
