/** The media origin alone in its own process for media-origin-throughput.ts: prints its port. */
import http from "node:http";
import { createLogger } from "@marquee/kit";
import { mediaOrigin } from "@marquee/streaming/media-origin";
import { MediaSigner } from "@marquee/streaming/signing";

const server = http.createServer(
  { keepAlive: true },
  mediaOrigin({
    mediaDir: process.env.BENCH_MEDIA_DIR as string,
    signer: new MediaSigner(process.env.BENCH_SECRET as string),
    log: createLogger("origin", "warn"),
  }),
);
server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
