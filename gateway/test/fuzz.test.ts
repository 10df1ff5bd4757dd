/**
 * Malformed requests to every RPC of every service (enumerated from the
 * generated descriptors, so a new RPC is covered without touching this file),
 * through a real gateway and straight to the services, over Connect JSON,
 * Connect binary, gRPC (a stock @grpc/grpc-js generic client sending raw
 * bytes) and gRPC-Web: bad JSON, wrong types, unknown enum names and numbers,
 * bytes that are not protobuf, oversized and compressed-oversized bodies.
 *
 * Order of checks, asserted exactly: a request the gateway decodes itself
 * (Connect, gRPC-Web, gRPC streams) and every request a service receives is
 * refused for its body before credentials are looked at; a gRPC unary call
 * takes the gateway's pass-through, which admits it from its headers first
 * (Unauthenticated without credentials, PermissionDenied for an internal RPC),
 * caps its size from the length prefix, and leaves decoding to the service.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  fromBinary,
  fromJson,
  type JsonValue,
  toBinary,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { codeName, defaultRequestLimit, type Server, type ServiceName } from "@marquee/kit";
import { connectCall, connectStreamCall, envelope, grpcCall, grpcWebCall } from "@marquee/kit/testing";
import { Health } from "@marquee/sdk/grpc/health/v1/health_pb";
import {
  AccountService,
  BillingCycle,
  ListPlansRequestSchema,
  ListPlansResponseSchema,
  PlanTier,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { BrowseSort, ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { FeedbackService } from "@marquee/sdk/marquee/feedback/v1/feedback_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { CreateProfileRequestSchema, UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { accessOf } from "../src/access-table.js";
import { UPSTREAM_SERVICES } from "../src/upstreams.js";
import { type Platform, startPlatform } from "./fixtures/platform.js";

type Protocol = "connect-json" | "connect-proto" | "grpc-web" | "grpc";
type Headers = Record<string, string>;
interface Outcome {
  code: number;
  message: string;
}
interface Expected {
  code: Code;
  message: string | RegExp;
}
/** One malformed request: its payload as sent (gzipped on the wire when `compressed`). */
interface Case {
  name: string;
  protocol: Protocol;
  payload: Buffer;
  compressed?: boolean;
  expected: Expected;
}

const PARTNER_KEY = "fuzz-partner-key-0123456789";
/** Signs of a stack trace or a server path in a message. */
const LEAK = /\bat \S+ \(|node_modules|\/src\/|\.ts:\d|\/work\/|\/home\//;
const BINARY: Protocol[] = ["connect-proto", "grpc-web", "grpc"];
const ALL_SERVICES: DescService[] = [Health, ...Object.values(UPSTREAM_SERVICES)];

let platform: Platform;
const member = { userId: "", profileId: "", headers: {} as Headers };
const partner: Headers = { "x-api-key": PARTNER_KEY };

test.before(async () => {
  const hash = createHash("sha256").update(PARTNER_KEY).digest("hex");
  platform = await startPlatform({ MARQUEE_PARTNER_API_KEYS: `fuzz:${hash}:catalog:write,media:write` });
  const transport = createConnectTransport({ baseUrl: platform.gateway.url, httpVersion: "1.1" });
  const users = createClient(UserService, transport);
  const email = `fuzz.${Date.now()}@example.com`;
  const password = "a long enough password";
  await users.registerUser({ email, password, name: "Fuzz", dateOfBirth: "1990-01-01", country: "NO" });
  const login = await users.login({ email, password, deviceName: "fuzz" });
  member.userId = login.user?.userId ?? "";
  const signedIn = { headers: { authorization: `Bearer ${login.tokens?.accessToken}` } };
  await createClient(AccountService, transport).createSubscription(
    {
      userId: member.userId,
      tier: PlanTier.PREMIUM,
      billingCycle: BillingCycle.MONTHLY,
      paymentToken: "tok_visa",
      idempotencyKey: `fuzz-${member.userId}`,
    },
    signedIn,
  );
  const profile = await users.createProfile({ userId: member.userId, name: "Fuzz" }, signedIn);
  member.profileId = profile.profile?.profileId ?? "";
  const selected = await users.selectProfile({ profileId: member.profileId }, signedIn);
  member.headers = { authorization: `Bearer ${selected.accessToken}` };
});

test.after.always(async () => {
  await platform?.close();
});

/** What the member has and the catalog holds, read through the gateway. */
async function stored() {
  const transport = createConnectTransport({ baseUrl: platform.gateway.url, httpVersion: "1.1" });
  const asMember = { headers: member.headers };
  const { userId, profileId } = member;
  const users = createClient(UserService, transport);
  const accounts = createClient(AccountService, transport);
  const streaming = createClient(StreamingService, transport);
  const user = (await users.getUser({ userId }, asMember)).user;
  const subscription = (await accounts.getSubscriptionDetails({ userId }, asMember)).subscription;
  return {
    user: [user?.name, user?.country, user?.email],
    profiles: (await users.listProfiles({ userId }, asMember)).profiles.map((p) => [
      p.profileId,
      p.maturityCap,
    ]),
    subscription: [subscription?.tier, subscription?.state],
    invoices: (await accounts.getBillingHistory({ userId, pageSize: 50 }, asMember)).invoices.length,
    ratings: (
      await createClient(FeedbackService, transport).getUserRatings({ profileId, pageSize: 50 }, asMember)
    ).ratings.length,
    history: (await streaming.listViewingHistory({ profileId, pageSize: 50 }, asMember)).entries.length,
    watching: (await streaming.getContinueWatching({ profileId, pageSize: 50 }, asMember)).items.length,
    catalog: (
      await createClient(ContentService, transport).browseContent(
        { sort: BrowseSort.NEWEST, pageSize: 50 },
        { headers: partner },
      )
    ).contents.map((c) => [c.contentId, c.publishState]),
  };
}

/** Where an enum sits in a request type (the first found), with a JSON request setting it. */
interface EnumSite {
  path: string;
  enumType: string;
  json(value: string | number): Record<string, JsonValue>;
}

function enumSite(desc: DescMessage, seen = new Set<DescMessage>()): EnumSite | undefined {
  if (seen.has(desc) || desc.typeName.startsWith("google.protobuf.")) return undefined;
  seen.add(desc);
  for (const f of desc.fields) {
    if (f.fieldKind === "enum")
      return { path: f.name, enumType: f.enum.typeName, json: (v) => ({ [f.jsonName]: v }) };
    if (f.fieldKind === "list" && f.listKind === "enum")
      return { path: `${f.name}[0]`, enumType: f.enum.typeName, json: (v) => ({ [f.jsonName]: [v] }) };
    const inner =
      f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")
        ? enumSite(f.message, seen)
        : undefined;
    if (inner === undefined) continue;
    const list = f.fieldKind === "list";
    return {
      path: `${f.name}${list ? "[0]" : ""}.${inner.path}`,
      enumType: inner.enumType,
      json: (v) => ({ [f.jsonName]: list ? [inner.json(v)] : inner.json(v) }),
    };
  }
  return undefined;
}

/** A JSON request with the input's first field of the wrong type, and what protobuf-es says of it. */
function wrongType(input: DescMessage): { json: string; message: string } {
  const f = input.fields[0];
  if (f === undefined)
    return { json: "[]", message: `cannot decode message ${input.typeName} from JSON: Array(0)` };
  const field = `cannot decode field ${input.typeName}.${f.name} from JSON: `;
  switch (f.fieldKind) {
    case "scalar":
      return f.scalar === 9 || f.scalar === 12 // string, bytes
        ? {
            json: `{"${f.jsonName}": 12345}`,
            message: `${field}expected ${f.scalar === 9 ? "string" : "base64 string"}, got 12345`,
          }
        : { json: `{"${f.jsonName}": "not-a-value"}`, message: field };
    case "enum":
      return {
        json: `{"${f.jsonName}": {}}`,
        message: `cannot decode enum ${f.enum.typeName} from JSON: object`,
      };
    case "message":
      return {
        json: `{"${f.jsonName}": 5}`,
        message: `cannot decode message ${f.message.typeName} from JSON: 5`,
      };
    default:
      return { json: `{"${f.jsonName}": "x"}`, message: field };
  }
}

const sizedBySize = new Map<number, Buffer>();
/** A message of `size` bytes: one field the contract does not have, so only its size can refuse it. */
function sized(size: number): Buffer {
  let message = sizedBySize.get(size);
  if (message === undefined) {
    message = Buffer.from(
      new BinaryWriter().tag(1000, WireType.LengthDelimited).bytes(new Uint8Array(size)).finish(),
    );
    sizedBySize.set(size, message);
  }
  return message;
}

const gzipped = new WeakMap<Buffer, Buffer>();
function gzipOf(payload: Buffer): Buffer {
  let compressed = gzipped.get(payload);
  if (compressed === undefined) {
    compressed = gzipSync(payload);
    gzipped.set(payload, compressed);
  }
  return compressed;
}

function casesFor(method: DescMethod): Case[] {
  const input = method.input;
  const json = (name: string, body: string, expected: Expected): Case => ({
    name,
    protocol: "connect-json",
    payload: Buffer.from(body),
    expected,
  });
  const binary = (name: string, payload: Buffer, expected: Expected, compressed = false): Case[] =>
    BINARY.map((protocol) => ({ name, protocol, payload, expected, compressed }));
  const limit = defaultRequestLimit(method);
  const tooLarge = {
    code: Code.ResourceExhausted,
    message: `request too large: ${method.parent.typeName}/${method.name} takes at most ${limit} bytes (after decompression)`,
  };
  const wrong = wrongType(input);
  const cases: Case[] = [
    json("bad JSON", '{"query": ', { code: Code.InvalidArgument, message: /^malformed JSON: \S/ }),
    json("wrong type", wrong.json, {
      code: Code.InvalidArgument,
      message: new RegExp(`^${literal(wrong.message)}`),
    }),
    ...binary("bytes that are not protobuf", Buffer.from("ffffffff0f", "hex"), {
      code: Code.InvalidArgument,
      message: `malformed request: not a valid ${input.typeName} in protobuf binary (illegal tag: field no 536870911 wire type 7)`,
    }),
    ...binary("oversized", sized(limit + 1024), tooLarge),
    ...binary("compressed oversized", sized(limit + 1024 * 1024), tooLarge, true),
  ];
  const site = enumSite(input);
  if (site !== undefined) {
    const unknown = (value: string | number) => ({
      code: Code.InvalidArgument,
      message: `invalid ${input.name}: ${site.path}: unknown value ${value} of ${site.enumType}`,
    });
    cases.push(
      json(
        "unknown enum name",
        JSON.stringify(site.json("MARQUEE_FUZZ_BOGUS")),
        unknown("MARQUEE_FUZZ_BOGUS"),
      ),
    );
    const numbered = toBinary(input, fromJson(input, site.json(99)));
    cases.push(...binary("unknown enum number", Buffer.from(numbered), unknown(99)));
  }
  return cases;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Stock grpc-js generic clients per address, plain and gzip-compressing. */
const grpcClients = new Map<string, grpc.Client>();
function grpcClient(url: string, compressed: boolean): grpc.Client {
  const key = `${url} ${compressed}`;
  let client = grpcClients.get(key);
  if (client === undefined) {
    client = new grpc.Client(
      new URL(url).host,
      grpc.credentials.createInsecure(),
      compressed ? { "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip } : {},
    );
    grpcClients.set(key, client);
  }
  return client;
}
test.after.always(() => {
  for (const client of grpcClients.values()) client.close();
});

function grpcJsCall(url: string, method: DescMethod, c: Case, headers: Headers): Promise<Outcome> {
  const client = grpcClient(url, c.compressed === true);
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
  const path = `/${method.parent.typeName}/${method.name}`;
  const raw = (b: Buffer) => b;
  const options = { deadline: Date.now() + 60_000 };
  // grpc-js decodes grpc-message with decodeURI, which leaves "%3A" for the ":" connect-es encodes
  // (encodeURIComponent); finish decoding as the gRPC spec reads it.
  const settled = (err: grpc.ServiceError | null): Outcome =>
    err === null ? { code: 0, message: "" } : { code: err.code, message: decodeURIComponent(err.details) };
  if (method.methodKind === "unary")
    return new Promise((resolve) =>
      client.makeUnaryRequest(path, raw, raw, c.payload, metadata, options, (err) => resolve(settled(err))),
    );
  const call = client.makeServerStreamRequest(path, raw, raw, c.payload, metadata, options);
  return new Promise((resolve) => {
    call.on("data", () => {});
    call.on("error", (err: grpc.ServiceError) => resolve(settled(err)));
    call.on("status", (status) => status.code === 0 && resolve({ code: 0, message: "" }));
  });
}

async function send(url: string, method: DescMethod, c: Case, headers: Headers): Promise<Outcome> {
  const target = `${url}/${method.parent.typeName}/${method.name}`;
  const body = c.compressed ? gzipOf(c.payload) : c.payload;
  const streaming = method.methodKind !== "unary";
  switch (c.protocol) {
    case "grpc":
      return grpcJsCall(url, method, c, headers);
    case "grpc-web":
      return grpcWebCall(target, envelope(body, c.compressed ? 1 : 0), {
        ...headers,
        ...(c.compressed ? { "grpc-encoding": "gzip" } : {}),
      });
    case "connect-json":
      return streaming
        ? connectStreamCall(target, "json", envelope(body), headers)
        : connectCall(target, "application/json", body, headers);
    case "connect-proto":
      return streaming
        ? connectStreamCall(target, "proto", envelope(body, c.compressed ? 1 : 0), {
            ...headers,
            ...(c.compressed ? { "connect-content-encoding": "gzip" } : {}),
          })
        : connectCall(target, "application/proto", body, {
            ...headers,
            ...(c.compressed ? { "content-encoding": "gzip" } : {}),
          });
  }
}

/** Runs jobs a few at a time. */
async function inBatches(jobs: (() => Promise<void>)[], size = 16): Promise<void> {
  for (let i = 0; i < jobs.length; i += size) await Promise.all(jobs.slice(i, i + size).map((job) => job()));
}

/** How the gateway's byte pass-through answers before the body: by the access table, from the headers. */
function admission(method: DescMethod, credentials: boolean): Expected | undefined {
  const rpc = `${method.parent.typeName}/${method.name}`;
  const access = accessOf(method.parent.typeName, method.name);
  if (access?.kind === "internal")
    return {
      code: Code.PermissionDenied,
      message: `${rpc} is internal to Marquee and cannot be called from outside`,
    };
  // The fuzz sends no operator's token, so an operator's RPC is refused for want of one before its body is read.
  if ((access?.kind === "restricted" || access?.kind === "operator") && !credentials)
    return { code: Code.Unauthenticated, message: new RegExp(`^${literal(rpc)} needs credentials`) };
  return undefined;
}

function credentialsFor(method: DescMethod): Headers | undefined {
  const access = accessOf(method.parent.typeName, method.name);
  if (access?.kind !== "restricted") return undefined;
  return access.member ? member.headers : partner;
}

test.serial(
  "every RPC refuses malformed requests with the right code and a plain message, and writes nothing",
  async (t) => {
    t.timeout(600_000);
    const before = await stored();
    const jobs: (() => Promise<void>)[] = [];
    let checked = 0;
    const refusedByGateway: Record<string, number> = {};
    const check = (label: string, outcome: Outcome, expected: Expected) => {
      checked++;
      if (label.startsWith("gateway:"))
        refusedByGateway[codeName(expected.code)] = (refusedByGateway[codeName(expected.code)] ?? 0) + 1;
      t.is(outcome.code, expected.code, `${label}: ${outcome.message}`);
      if (typeof expected.message === "string") t.is(outcome.message, expected.message, label);
      else t.regex(outcome.message, expected.message, label);
      t.notRegex(outcome.message, LEAK, label);
    };
    const upstream = new Set(Object.values(UPSTREAM_SERVICES));
    for (const service of ALL_SERVICES) {
      for (const method of service.methods) {
        const rpc = `${service.typeName}/${method.name}`;
        const passthrough = upstream.has(service) && method.methodKind === "unary";
        for (const c of casesFor(method)) {
          const label = `${rpc} ${c.name} over ${c.protocol}`;
          jobs.push(async () => {
            // gRPC, binary Connect and gRPC-Web unary calls pass through as bytes; JSON takes the router.
            const viaPassthrough = passthrough && c.protocol !== "connect-json";
            // Without credentials: refused for the body, unless the pass-through admits from headers first.
            const bare = await send(platform.gateway.url, method, c, {});
            check(`gateway: ${label}`, bare, (viaPassthrough && admission(method, false)) || c.expected);
            const credentials = credentialsFor(method);
            if (viaPassthrough && credentials !== undefined) {
              const signed = await send(platform.gateway.url, method, c, credentials);
              check(`gateway: ${label}, with credentials`, signed, admission(method, true) ?? c.expected);
            }
          });
        }
      }
    }
    for (const [name, server] of Object.entries(platform.services) as [ServiceName, Server][]) {
      for (const service of [Health, UPSTREAM_SERVICES[name]]) {
        for (const method of service.methods) {
          for (const c of casesFor(method)) {
            jobs.push(async () => {
              check(
                `${name} service: ${service.typeName}/${method.name} ${c.name} over ${c.protocol}`,
                await send(server.url, method, c, {}),
                c.expected,
              );
            });
          }
        }
      }
    }
    await inBatches(jobs);
    t.true(checked > 1000, `checked ${checked} requests`);
    t.deepEqual(await stored(), before, "nothing was written");

    const counted: Record<string, number> = {};
    for (const { labels, value } of (await platform.gateway.metrics.errors.get()).values)
      counted[String(labels.code)] = (counted[String(labels.code)] ?? 0) + value;
    t.deepEqual(counted, refusedByGateway, "the gateway counted every refusal once, by its code");
    for (const [name, server] of [
      ["gateway", platform.gateway],
      ...Object.entries(platform.services),
    ] as const) {
      const codes = new Set(
        (await server.metrics.errors.get()).values
          .filter((v) => v.value > 0)
          .map((v) => String(v.labels.code)),
      );
      t.false(codes.has("internal") || codes.has("unknown"), `${name} counted ${[...codes].join(", ")}`);
      t.true(
        codes.has("invalid_argument") && codes.has("resource_exhausted"),
        `${name} counted ${[...codes]}`,
      );
    }
  },
);

test.serial("a gRPC frame cut short or promising too much is refused through the gateway", async (t) => {
  const search = `${platform.gateway.url}/marquee.content.v1.ContentService/SearchContent`;
  const cut = await grpcCall(search, envelope(Buffer.from("0a03616263", "hex")).subarray(0, 7), partner);
  t.like(cut, { code: Code.InvalidArgument, message: "protocol error: incomplete envelope" });
  let rest: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    rest = resolve;
  });
  const promised = await grpcCall(
    search,
    (async function* () {
      yield Buffer.from([0, 0, 0x40, 0, 0]); // 4 MiB promised, never sent
      await held;
    })(),
    partner,
  );
  rest();
  t.like(promised, {
    code: Code.ResourceExhausted,
    message:
      "request too large: marquee.content.v1.ContentService/SearchContent takes at most 1048576 bytes (after decompression)",
  });
});

const transports: Record<string, (baseUrl: string) => Transport> = {
  "Connect JSON": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  "Connect binary": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  gRPC: (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC-Web": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
};

test.serial("the gateway still serves every protocol afterwards", async (t) => {
  for (const [name, transport] of Object.entries(transports)) {
    const plans = await createClient(AccountService, transport(platform.gateway.url)).listPlans({});
    t.is(plans.plans.length, 3, name);
    const profiles = await createClient(UserService, transport(platform.gateway.url)).listProfiles(
      { userId: member.userId },
      { headers: member.headers },
    );
    t.true(profiles.profiles.length >= 1, name);
  }
  const raw = await new Promise<Buffer>((resolve, reject) =>
    grpcClient(platform.gateway.url, false).makeUnaryRequest(
      "/marquee.account.v1.AccountService/ListPlans",
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(toBinary(ListPlansRequestSchema, create(ListPlansRequestSchema))),
      new grpc.Metadata(),
      (err, value) => (err ? reject(err) : resolve(value as Buffer)),
    ),
  );
  t.is(fromBinary(ListPlansResponseSchema, raw).plans.length, 3, "grpc-js");
});

test.serial("a kids profile is never left uncapped by a typo in its cap, over any protocol", async (t) => {
  const transport = createConnectTransport({ baseUrl: platform.gateway.url, httpVersion: "1.1" });
  const users = createClient(UserService, transport);
  const count = async () =>
    (await users.listProfiles({ userId: member.userId }, { headers: member.headers })).profiles.length;
  const before = await count();
  const typo = JSON.stringify({ userId: member.userId, name: "Kid", maturityCap: "MATURITY_RATING_KIDZ" });
  const url = `${platform.gateway.url}/marquee.user.v1.UserService/CreateProfile`;
  const asJson = await connectCall(url, "application/json", typo, member.headers);
  t.like(asJson, {
    code: Code.InvalidArgument,
    httpStatus: 400,
    message:
      "invalid CreateProfileRequest: maturity_cap: unknown value MATURITY_RATING_KIDZ of marquee.common.v1.MaturityRating",
  });
  const asGrpcWebJson = await grpcWebCall(
    url,
    envelope(Buffer.from(typo)),
    member.headers,
    "application/grpc-web+json",
  );
  t.like(asGrpcWebJson, { code: Code.InvalidArgument, message: asJson.message });
  const unknownNumber =
    "invalid CreateProfileRequest: maturity_cap: unknown value 7 of marquee.common.v1.MaturityRating";
  const request = create(CreateProfileRequestSchema, {
    userId: member.userId,
    name: "Kid",
    maturityCap: 7 as MaturityRating,
  });
  for (const [name, transport] of Object.entries(transports)) {
    const err = await createClient(UserService, transport(platform.gateway.url))
      .createProfile(request, { headers: member.headers })
      .then(
        () => undefined,
        (e: unknown) => e as { code: Code; rawMessage: string },
      );
    t.like(err, { code: Code.InvalidArgument, rawMessage: unknownNumber }, name);
  }
  t.is(await count(), before, "no profile was created");
  const capped = await users.createProfile(
    { userId: member.userId, name: "Kid", maturityCap: MaturityRating.KIDS },
    { headers: member.headers },
  );
  t.is(capped.profile?.maturityCap, MaturityRating.KIDS, "the right name still works");
});
