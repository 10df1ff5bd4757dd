import {
  create,
  type DescField,
  type DescMessage,
  type DescService,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import type { ConnectError } from "@connectrpc/connect";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import {
  ContentService,
  SearchContentRequestSchema,
} from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { RecommendationService } from "@marquee/sdk/marquee/recommendation/v1/recommendation_service_pb";
import {
  PlaybackState,
  SendHeartbeatRequestSchema,
  SendHeartbeatsRequestSchema,
  StreamingService,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { quickAccept } from "../src/input/quick-accept.js";
import { validateMessage } from "../src/interceptors/validation.js";
import { pick, seededRandom } from "../src/random.js";

const SERVICES: DescService[] = [
  AccountService,
  ContentService,
  FeedbackService,
  RecommendationService,
  StreamingService,
  UserService,
];
const validator = createValidator();
const valid = (schema: DescMessage, m: Message) => validator.validate(schema, m).kind === "valid";

/** Values near the edges the contracts' rules draw: lengths, signs, bounds, formats. */
function generator(seed: number) {
  const random = seededRandom(seed);
  const uuid = () =>
    "xxxxxxxx-xxxx-7xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, () => pick(random, [..."0123456789abcdef"]));
  const strings = () => [
    "",
    uuid(),
    uuid().toUpperCase(),
    `${uuid()} `,
    uuid().slice(1),
    uuid().replace(/-/g, ""),
    "a",
    "720p",
    "x".repeat(39),
    "x".repeat(40),
    "x".repeat(41),
    "é".repeat(40),
    "😀".repeat(21),
    "x".repeat(200),
    "x".repeat(2_001),
    // For the contracts' patterns: slugs, PINs, countries, dates, card tokens, file names.
    "science-fiction",
    "Drama",
    "drama\n",
    "1234",
    "12345",
    "NO",
    "no",
    "1990-02-28",
    "1990-13-01",
    "tok_visa",
    "tok_",
    "subs/en.vtt",
    "/etc/en.srt",
  ];
  const ints = [-1, 0, 1, 2, 5, 10, 50, 99, 100, 101, 500, 1000, 1001, 2 ** 31 - 1];
  const doubles = [-1, -0, 0, 0.5, 1, 5, 599.9, 600, 600.1, Number.NaN, Number.POSITIVE_INFINITY];
  const value = (field: DescField, depth: number): unknown => {
    switch (field.fieldKind) {
      case "scalar":
        return scalar(field.scalar);
      case "enum":
        return pick(random, [...field.enum.values.map((v) => v.number), -1, 99]);
      case "message":
        return random() < 0.2 ? undefined : message(field.message, depth + 1);
      case "list": {
        const n = pick(random, [0, 1, 1, 2, 3, 20, 121]);
        return Array.from({ length: n }, () =>
          field.listKind === "message"
            ? message(field.message, depth + 1)
            : field.listKind === "enum"
              ? pick(random, field.enum.values).number
              : scalar(field.scalar),
        );
      }
      case "map":
        return {};
    }
  };
  const scalar = (type: ScalarType): unknown => {
    switch (type) {
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return pick(random, doubles);
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return BigInt(pick(random, ints));
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return BigInt(Math.max(0, pick(random, ints)));
      case ScalarType.BOOL:
        return random() < 0.5;
      case ScalarType.STRING:
        return pick(random, strings());
      case ScalarType.BYTES:
        return new Uint8Array(pick(random, [0, 1, 16]));
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return Math.max(0, pick(random, ints));
      default:
        return pick(random, ints);
    }
  };
  const message = (desc: DescMessage, depth: number): Message => {
    if (desc.typeName === "google.protobuf.Duration" || desc.typeName === "google.protobuf.Timestamp") {
      return create(desc, {
        seconds: BigInt(pick(random, [-1, 0, 1, 60, 86_400, 315_576_000_001])),
        nanos: pick(random, [0, 1, -1, 999_999_999, 1_000_000_000]),
      } as never);
    }
    const init: Record<string, unknown> = {};
    if (depth < 4)
      for (const f of desc.fields) {
        if (f.oneof !== undefined) continue;
        if (random() < 0.15) continue;
        init[f.localName] = value(f, depth);
      }
    return create(desc, init as never);
  };
  return message;
}

test("what the quick check accepts, protovalidate accepts: every request of every service, edge values", (t) => {
  let checked = 0;
  let accepted = 0;
  for (const service of SERVICES) {
    for (const method of service.methods) {
      const accept = quickAccept(method.input);
      if (accept === undefined) continue;
      const message = generator(checked + 1);
      for (let i = 0; i < 300; i++) {
        const m = message(method.input, 0);
        if (!accept(m)) continue;
        accepted++;
        if (!valid(method.input, m))
          t.fail(
            `${method.input.typeName} accepted quickly, refused by protovalidate: ${JSON.stringify(m, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`,
          );
      }
      checked++;
    }
  }
  t.true(checked >= 30, `request types checked quickly: ${checked}`);
  t.true(accepted >= 1_000, `accepted quickly: ${accepted}`);
});

test("heartbeat reports take the quick path, and what it refuses goes to protovalidate, which words it", (t) => {
  const accept = quickAccept(SendHeartbeatsRequestSchema);
  if (accept === undefined) return t.fail("SendHeartbeatsRequest has no quick check");
  t.not(quickAccept(SendHeartbeatRequestSchema), undefined);
  const reading = (over: Record<string, unknown> = {}) => ({
    sequence: 1n,
    eventTime: { seconds: 1_800_000_000n, nanos: 0 },
    position: { seconds: 60n, nanos: 0 },
    state: PlaybackState.PLAYING,
    renditionId: "720p",
    bitrateBps: 2_500_000n,
    bufferSeconds: 20,
    ...over,
  });
  const request = (readings: Record<string, unknown>[], sessionId = "0190b7a2-0c1f-7a3e-8f00-1234567890ab") =>
    create(SendHeartbeatsRequestSchema, { sessionId, readings } as never);
  t.true(accept(request([reading(), reading({ sequence: 2n })])));
  t.true(accept(request(Array.from({ length: 120 }, (_, i) => reading({ sequence: BigInt(i + 1) })))));
  const refused = [
    request([]),
    request(Array.from({ length: 121 }, (_, i) => reading({ sequence: BigInt(i + 1) }))),
    request([reading()], "not-a-uuid"),
    request([reading({ position: { seconds: -1n, nanos: 0 } })]),
    request([reading({ position: undefined })]),
    request([reading({ eventTime: undefined })]),
    request([reading({ sequence: 0n })]),
    request([reading({ state: PlaybackState.UNSPECIFIED })]),
    request([reading({ state: 42 })]),
    request([reading({ renditionId: "x".repeat(41) })]),
    request([reading({ bufferSeconds: 600.5 })]),
    request([reading({ bufferSeconds: Number.NaN })]),
    request([reading({ droppedFrames: -1n })]),
  ];
  for (const m of refused) {
    t.false(accept(m));
    const err = t.throws(() => validateMessage(SendHeartbeatsRequestSchema, m));
    t.regex((err as ConnectError).rawMessage, /^invalid SendHeartbeatsRequest: /);
  }
});

test("search requests take the quick path: each genre id matched by RE2, as protovalidate matches it", (t) => {
  const accept = quickAccept(SearchContentRequestSchema);
  if (accept === undefined) return t.fail("SearchContentRequest has no quick check");
  const request = (over: Record<string, unknown>) =>
    create(SearchContentRequestSchema, { query: "star w", pageSize: 36, ...over } as never);
  for (const m of [request({}), request({ genreIds: ["drama", "science-fiction"], releaseYearFrom: 1990 })]) {
    t.true(accept(m));
    t.true(valid(SearchContentRequestSchema, m));
  }
  const refused = [
    request({ genreIds: ["Drama"] }),
    request({ genreIds: ["drama", "sci fi"] }),
    request({ genreIds: ["drama\n"] }),
    request({ genreIds: ["x".repeat(41)] }),
    request({ genreIds: Array.from({ length: 11 }, (_, i) => `g${i}`) }),
    request({ query: "" }),
    request({ pageSize: 0 }),
  ];
  for (const m of refused) {
    t.false(accept(m));
    t.false(valid(SearchContentRequestSchema, m), "protovalidate refuses it too");
  }
});
