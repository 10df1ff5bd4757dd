import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import { createServiceClient } from "../src/clients.js";
import { createLogger } from "../src/logger.js";
import { serve } from "../src/server.js";

test("a service client never asks the called service to compress its answer", async (t) => {
  const asked: (string | null)[] = [];
  const server = await serve({
    name: "content",
    services: [ContentService],
    // An answer well over the 1 KiB from which a server compresses what the caller accepts.
    routes: (r) =>
      r.service(ContentService, {
        getGenres: () => ({
          genres: Array.from({ length: 200 }, (_, i) => ({ genreId: `genre-${i}`, name: `Genre ${i}` })),
        }),
      }),
    interceptors: [
      (next) => async (req) => {
        asked.push(req.header.get("grpc-accept-encoding"));
        return next(req);
      },
    ],
    host: "127.0.0.1",
    port: 0,
    log: createLogger("content", "silent"),
  });
  t.teardown(() => server.close());
  const { genres } = await createServiceClient(ContentService, server.url).getGenres({});
  t.is(genres.length, 200);
  t.is(asked.length, 1);
  t.false(/gzip|br/.test(asked[0] ?? ""), `grpc-accept-encoding: ${asked[0]}`);
});
