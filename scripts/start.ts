/**
 * Embedded mode (`npm start`): every service and the gateway in this one
 * process, each on its own loopback port, talking gRPC exactly as in mesh mode.
 *
 * It shows a person a summary and the demo ingest's progress, then only
 * warnings and errors (start-terminal.ts): each RPC's access line is at debug
 * (MARQUEE_RPC_LOG_LEVEL) and, on a terminal, the level is warn unless
 * MARQUEE_LOG_LEVEL says otherwise. Services that call others start once
 * those serve, so none waits; Ctrl-C stops everything within a few seconds
 * (calls in flight get MARQUEE_DRAIN_TIMEOUT_MS, 1 s here).
 */
import path from "node:path";
import { startAccountService } from "@marquee/account";
import { startContentService } from "@marquee/content";
import { startFeedbackService } from "@marquee/feedback";
import { startGateway } from "@marquee/gateway";
import { loadBackendsConfig, logSettings, runMain } from "@marquee/kit";
import { startRecommendationService } from "@marquee/recommendation";
import { startStreamingService } from "@marquee/streaming";
import { startUserService } from "@marquee/user";
import { LOCAL_PARTNER_API_KEY, withLocalPartnerKey } from "./local-partner-key.js";
import { demoProgressView, printSummary, terminal } from "./start-terminal.js";

process.env.MARQUEE_RPC_LOG_LEVEL ??= "debug";
process.env.MARQUEE_DRAIN_TIMEOUT_MS ??= "1000";
// A bad MARQUEE_LOG_FORMAT is reported by runMain, which reads the same settings.
const pretty = (() => {
  try {
    return logSettings(process.env, process.stdout.isTTY === true).format === "pretty";
  } catch {
    return false;
  }
})();
if (pretty) process.env.MARQUEE_LOG_LEVEL ??= "warn";

await runMain("marquee", async () => {
  const t = terminal(pretty);
  const demo = demoProgressView(t);
  const env = process.env;
  const content = startContentService(env);
  const [user, account, feedback, [streaming, recommendation]] = await Promise.all([
    startUserService(env),
    startAccountService(env),
    startFeedbackService(env),
    content.then(() =>
      Promise.all([
        startStreamingService(env, { onDemoProgress: demo.onProgress }),
        startRecommendationService(env),
      ]),
    ),
  ]);
  const services = { user, content: await content, streaming, recommendation, account, feedback };
  const partnerKey = withLocalPartnerKey(env);
  const gateway = await startGateway(partnerKey.env);
  printSummary(t, {
    gateway,
    services,
    dataDir: path.resolve(loadBackendsConfig(env).embeddedDataDir),
    partnerKey: partnerKey.added ? LOCAL_PARTNER_API_KEY : undefined,
    startedMs: process.uptime() * 1000,
    logLevel: env.MARQUEE_LOG_LEVEL ?? "info",
  });
  demo.show();
  return {
    async close() {
      const stopping = Date.now();
      demo.stop();
      t.line("\nStopping Marquee…");
      await Promise.all([gateway.close(), ...Object.values(services).map((s) => s.close())]);
      t.line(`Stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s.`);
    },
  };
});
