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
import { LOCAL_PARTNER_API_KEY, withLocalPartnerKey } from "./local-partner-key.js";

await runMain("marquee", async () => {
  const services = await Promise.all([
    startUserService(),
    startContentService(),
    startStreamingService(),
    startRecommendationService(),
    startAccountService(),
    startFeedbackService(),
  ]);
  const partnerKey = withLocalPartnerKey(process.env);
  const gateway = await startGateway(partnerKey.env);
  process.stdout.write(`\nMarquee is running at ${gateway.url}  (Ctrl-C stops it)\n`);
  if (partnerKey.added)
    process.stdout.write(`Local partner API key (x-api-key, SDK apiKey): ${LOCAL_PARTNER_API_KEY}\n`);
  process.stdout.write("\n");
  return {
    async close() {
      await gateway.close();
      await Promise.all(services.map((s) => s.close()));
    },
  };
});
