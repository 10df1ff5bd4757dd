import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import type { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentInputSchema, ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import {
  HeartbeatReadingSchema,
  PlaybackState,
  SendHeartbeatsRequestSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import test from "ava";
import { undefinedEnumValues } from "../src/input/enum-values.js";
import { strictJsonText } from "../src/input/json-text.js";
import { connectCall, envelope, grpcCall, grpcWebCall } from "../src/testing/index.js";
import { serveTestContent, TestContent } from "./fixtures.js";

const SEARCH = "/marquee.content.v1.ContentService/SearchContent";
const KIDZ =
  "invalid SearchContentRequest: max_maturity_rating: unknown value MATURITY_RATING_KIDZ of marquee.common.v1.MaturityRating";

/** A message type with maps of enums and of messages holding enums (no Marquee request has one yet). */
function mapsOfEnums(): DescMessage {
  const entry = (name: string, value: { type: Type; typeName: string }) => ({
    name,
    options: { mapEntry: true },
    field: [
      { name: "key", number: 1, label: Label.OPTIONAL, type: Type.STRING, jsonName: "key" },
      { name: "value", number: 2, label: Label.OPTIONAL, jsonName: "value", ...value },
    ],
  });
  const file = create(FileDescriptorProtoSchema, {
    name: "test/v1/maps.proto",
    package: "test.v1",
    syntax: "proto3",
    enumType: [
      {
        name: "Level",
        value: [
          { name: "LEVEL_UNSPECIFIED", number: 0 },
          { name: "LEVEL_HIGH", number: 1 },
        ],
      },
    ],
    messageType: [
      {
        name: "Inner",
        field: [
          {
            name: "level",
            number: 1,
            label: Label.OPTIONAL,
            type: Type.ENUM,
            typeName: ".test.v1.Level",
            jsonName: "level",
          },
        ],
      },
      {
        name: "Holder",
        field: [
          {
            name: "levels",
            number: 1,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: ".test.v1.Holder.LevelsEntry",
            jsonName: "levels",
          },
          {
            name: "inner",
            number: 2,
            label: Label.REPEATED,
            type: Type.MESSAGE,
            typeName: ".test.v1.Holder.InnerEntry",
            jsonName: "inner",
          },
        ],
        nestedType: [
          entry("LevelsEntry", { type: Type.ENUM, typeName: ".test.v1.Level" }),
          entry("InnerEntry", { type: Type.MESSAGE, typeName: ".test.v1.Inner" }),
        ],
      },
    ],
  });
  return createFileRegistry(file, () => undefined).getMessage("test.v1.Holder") as DescMessage;
}

test("enum numbers a contract does not define are found anywhere in a message, each with its path", (t) => {
  const heartbeats = create(SendHeartbeatsRequestSchema, {
    readings: [
      create(HeartbeatReadingSchema, { state: PlaybackState.PLAYING }),
      create(HeartbeatReadingSchema, { state: 42 as PlaybackState }),
    ],
  });
  t.deepEqual(undefinedEnumValues(SendHeartbeatsRequestSchema, heartbeats), [
    "readings[1].state: unknown value 42 of marquee.streaming.v1.PlaybackState",
  ]);
  const input = create(ContentInputSchema, { type: 9 as ContentType, maturityRating: MaturityRating.KIDS });
  t.deepEqual(undefinedEnumValues(ContentInputSchema, input), [
    "type: unknown value 9 of marquee.content.v1.ContentType",
  ]);
  const Holder = mapsOfEnums();
  const held = create(Holder, {
    levels: { a: 1, b: 7 },
    inner: { x: { level: 9 }, y: { level: 1 } },
  } as never);
  t.deepEqual(undefinedEnumValues(Holder, held), [
    'levels["b"]: unknown value 7 of test.v1.Level',
    'inner["x"].level: unknown value 9 of test.v1.Level',
  ]);
  t.deepEqual(undefinedEnumValues(Holder, create(Holder)), []);
});

test("the JSON decoder names the field of every unknown enum name, nested, repeated and in maps", (t) => {
  const decode = (desc: DescMessage, json: unknown) =>
    strictJsonText(desc).decode(new TextEncoder().encode(JSON.stringify(json)));
  const err = t.throws(
    () =>
      decode(SendHeartbeatsRequestSchema, {
        readings: [{ state: "PLAYBACK_STATE_PLAYING" }, { state: "PLAYBACK_STATE_PLAYNG" }, { state: 3 }],
      }),
    { instanceOf: ConnectError },
  );
  t.is(err.code, Code.InvalidArgument);
  t.is(
    err.rawMessage,
    "invalid SendHeartbeatsRequest: readings[1].state: unknown value PLAYBACK_STATE_PLAYNG of marquee.streaming.v1.PlaybackState",
  );
  const maps = t.throws(
    () =>
      decode(mapsOfEnums(), { levels: { a: "LEVEL_HIGH", b: "LEVEL_LOW" }, inner: { x: { level: "NOPE" } } }),
    { instanceOf: ConnectError },
  );
  t.is(
    maps.rawMessage,
    'invalid Holder: levels["b"]: unknown value LEVEL_LOW of test.v1.Level; inner["x"].level: unknown value NOPE of test.v1.Level',
  );
  const odd = t.throws(
    () => decode(SendHeartbeatsRequestSchema, { readings: [{ state: `x\n${"y".repeat(500)}` }] }),
    {
      instanceOf: ConnectError,
    },
  );
  t.true(odd.rawMessage.length < 250, "a long bad name is shortened, not echoed whole");
  t.regex(odd.rawMessage, /unknown value "x\\ny+…" of/);
  t.is(
    decode(SendHeartbeatsRequestSchema, { readings: [{ state: "PLAYBACK_STATE_PAUSED" }, { state: 2 }] }),
    '{"readings":[{"state":"PLAYBACK_STATE_PAUSED"},{"state":2}]}',
  );
});

const transports: Record<string, (baseUrl: string) => Transport> = {
  "connect JSON": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "connect binary": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  gRPC: (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC-Web": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
};

for (const [name, transport] of Object.entries(transports)) {
  test(`an enum number the contract does not define is InvalidArgument naming the field over ${name}`, async (t) => {
    const content = new TestContent();
    const server = await serveTestContent(content);
    t.teardown(() => server.close());
    const client = createClient(ContentService, transport(server.url));
    const err = ConnectError.from(
      await t.throwsAsync(
        client.searchContent({ query: "x", pageSize: 5, maxMaturityRating: 99 as MaturityRating }),
      ),
    );
    t.is(err.code, Code.InvalidArgument);
    t.is(
      err.rawMessage,
      "invalid SearchContentRequest: max_maturity_rating: unknown value 99 of marquee.common.v1.MaturityRating",
    );
    t.is(content.calls, 0, "the handler never ran");
  });
}

test("an unknown enum name is InvalidArgument naming the field in every JSON protocol, never read as unset", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const json = JSON.stringify({ query: "x", pageSize: 5, maxMaturityRating: "MATURITY_RATING_KIDZ" });
  const outcomes = {
    "connect POST": await connectCall(server.url + SEARCH, "application/json", json),
    "connect GET": await fetch(
      `${server.url + SEARCH}?encoding=json&message=${encodeURIComponent(json)}`,
    ).then(async (res) => ({ httpStatus: res.status, ...((await res.json()) as object) })),
    "gRPC-Web": await grpcWebCall(
      server.url + SEARCH,
      envelope(Buffer.from(json)),
      {},
      "application/grpc-web+json",
    ),
    gRPC: await grpcCall(server.url + SEARCH, envelope(Buffer.from(json)), {
      "content-type": "application/grpc+json",
    }),
  };
  t.like(outcomes, {
    "connect POST": { code: Code.InvalidArgument, message: KIDZ, httpStatus: 400 },
    "connect GET": { code: "invalid_argument", message: KIDZ, httpStatus: 400 },
    "gRPC-Web": { code: Code.InvalidArgument, message: KIDZ },
    gRPC: { code: Code.InvalidArgument, message: KIDZ },
  });
  t.is(content.calls, 0, "the handler never ran");
});

test("an unknown JSON field is refused by name; known names reach the handler", async (t) => {
  const content = new TestContent();
  const server = await serveTestContent(content);
  t.teardown(() => server.close());
  const typo = await connectCall(
    server.url + SEARCH,
    "application/json",
    JSON.stringify({ query: "x", pageSize: 5, maxMaturityRatng: "MATURITY_RATING_KIDS" }),
  );
  t.is(typo.code, Code.InvalidArgument);
  t.is(
    typo.message,
    'cannot decode message marquee.content.v1.SearchContentRequest from JSON: key "maxMaturityRatng" is unknown',
  );
  t.is(content.calls, 0);
  const known = await connectCall(
    server.url + SEARCH,
    "application/json",
    JSON.stringify({ query: "x", pageSize: 5, max_maturity_rating: "MATURITY_RATING_KIDS" }),
  );
  t.like(known, { code: Code.NotFound, message: "no such genre" }, "the fixture's handler answered");
  t.is(content.calls, 1);
});
