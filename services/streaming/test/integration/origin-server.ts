import http from "node:http";
import { createLogger } from "@marquee/kit";
import type { ExecutionContext } from "ava";
import { mediaOrigin } from "../../src/playback/media-origin.js";
import { MediaSigner } from "../../src/playback/signing.js";

/** A media origin on `mediaDir` whose every session is live, closed when the test ends: its base URL and signer. */
export async function startOrigin(
  t: ExecutionContext,
  mediaDir: string,
): Promise<{ base: string; signer: MediaSigner }> {
  const signer = new MediaSigner("origin-test-secret-0123456789");
  const server = http.createServer(
    mediaOrigin({
      mediaDir,
      signer,
      sessions: { state: async () => "live" },
      log: createLogger("test", "silent"),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => server.close());
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, signer };
}
