import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  ContentService,
  ContentWithheld_Reason,
  ContentWithheldSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  StreamContentRequestSchema,
  StreamingService,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { createServiceClient } from "../src/clients.js";
import { createLogger } from "../src/logger.js";
import { serve } from "../src/server.js";

const ID = "00000000-0000-4000-8000-000000000000";

test("an error passed on from a call to another service reaches a Connect client as Connect, with its code, message and details", async (t) => {
  const log = createLogger("test", "silent");
  const content = await serve({
    name: "content",
    services: [ContentService],
    host: "127.0.0.1",
    port: 0,
    log,
    routes: (r) =>
      r.service(ContentService, {
        getContentDetails: () => {
          throw new ConnectError("above this profile's cap", Code.PermissionDenied, undefined, [
            {
              desc: ContentWithheldSchema,
              value: create(ContentWithheldSchema, { reason: ContentWithheld_Reason.MATURITY_CAP }),
            },
          ]);
        },
      }),
  });
  t.teardown(() => content.close());
  const upstream = createServiceClient(ContentService, content.url);
  // Over gRPC inside the mesh; the error it gets comes with that answer's headers and trailers.
  const streaming = await serve({
    name: "streaming",
    services: [StreamingService],
    host: "127.0.0.1",
    port: 0,
    log,
    routes: (r) =>
      r.service(StreamingService, {
        streamContent: async () => {
          await upstream.getContentDetails({ contentId: ID });
          return {};
        },
      }),
  });
  t.teardown(() => streaming.close());
  const request = { profileId: ID, contentId: ID, deviceId: "tv" };

  const raw = await fetch(`${streaming.url}/marquee.streaming.v1.StreamingService/StreamContent`, {
    method: "POST",
    headers: { "content-type": "application/proto" },
    body: toBinary(StreamContentRequestSchema, create(StreamContentRequestSchema, request)),
  });
  t.is(raw.status, 403);
  t.is(raw.headers.get("content-type"), "application/json");
  t.is(raw.headers.get("grpc-status"), null);

  const client = createClient(
    StreamingService,
    createConnectTransport({ baseUrl: streaming.url, httpVersion: "1.1", useBinaryFormat: true }),
  );
  const err = ConnectError.from(await t.throwsAsync(client.streamContent(request)));
  t.is(err.code, Code.PermissionDenied);
  t.is(err.rawMessage, "above this profile's cap");
  t.is(err.findDetails(ContentWithheldSchema)[0]?.reason, ContentWithheld_Reason.MATURITY_CAP);
});
