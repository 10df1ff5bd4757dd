/**
 * Embedded mode (`npm start`): every service and the gateway in this one
 * process, each on its own loopback port, talking gRPC exactly as in mesh mode.
 */
import { startAccountService } from "@marquee/account";
import { startContentService } from "@marquee/content";
import { startFeedbackService } from "@marquee/feedback";
import { startGateway } from "@marquee/gateway";
import { runMain } from "@marquee/kit";
import { startRecommendationService } from "@marquee/recommendation";
import { startStreamingService } from "@marquee/streaming";
import { startUserService } from "@marquee/user";

await runMain("marquee", async () => {
  const services = await Promise.all([
    startUserService(),
    startContentService(),
    startStreamingService(),
    startRecommendationService(),
    startAccountService(),
    startFeedbackService(),
  ]);
  const gateway = await startGateway();
  process.stdout.write(`\nMarquee is running at ${gateway.url}  (Ctrl-C stops it)\n\n`);
  return {
    async close() {
      await gateway.close();
      await Promise.all(services.map((s) => s.close()));
    },
  };
});
