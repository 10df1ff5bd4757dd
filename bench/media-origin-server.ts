/**
 * The media origin alone in its own process for media-origin-throughput.ts: prints its port.
 * BENCH_SESSION_CHECK=0 leaves out the live-session check (the baseline it is measured against).
 */
import http from "node:http";
import { createLogger } from "@marquee/kit";
import { LiveSessions } from "@marquee/streaming/playback/live-sessions";
import { mediaOrigin } from "@marquee/streaming/playback/media-origin";
import { MediaSigner } from "@marquee/streaming/playback/signing";

// Every session is live, read once: what a segment request pays on a cache hit, the usual case.
const sessions =
  process.env.BENCH_SESSION_CHECK === "0"
    ? { state: async () => "live" as const }
    : new LiveSessions(async () => "live", { checkMs: 5_000 });
const server = http.createServer(
  { keepAlive: true },
  mediaOrigin({
    mediaDir: process.env.BENCH_MEDIA_DIR as string,
    signer: new MediaSigner(process.env.BENCH_SECRET as string),
    sessions,
    log: createLogger("origin", "warn"),
  }),
);
server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
