import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { callerKey, createLogger, encodeCaller, type Server, serve } from "@marquee/kit";
import { waitFor } from "@marquee/kit/testing";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { StreamingService } from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import { UserSchema, UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { generateKeyPair } from "jose";
import { hashApiKey } from "../src/partner-keys.js";
import { startGateway } from "../src/start.js";
import { TestSigner } from "./fixtures/tokens.js";

/**
 * The gateway's authentication against a stand-in user service whose signing
 * key the test holds, so it can mint valid, expired and foreign tokens.
 */
const USER_ID = "0b7a1f7e-1c2d-4e3f-9a8b-7c6d5e4f3a2b";
const SESSION = "11111111-2222-4333-8444-555555555555";
const PROFILE = "66666666-7777-4888-9999-aaaaaaaaaaaa";
const READER_KEY = "reader-key-0123456789";
const WRITER_KEY = "writer-key-0123456789";

const open = new Set<string>([SESSION]);
const signer = new TestSigner(USER_ID, SESSION);
let upstream: Server;
let gateway: Server;
let jwksFetches = 0;
let sessionChecks = 0;

const newKey = (id: string) => signer.newKey(id);
const mint = (opts?: Parameters<TestSigner["mint"]>[0]) => signer.mint(opts);

test.before(async () => {
  await newKey("k1");
  const echo = (ctx: { values: { get: typeof Map.prototype.get } }, headers: Headers) =>
    JSON.stringify({
      caller: ctx.values.get(callerKey),
      session: headers.get("x-marquee-session"),
      country: headers.get("x-marquee-country") ?? undefined,
    });
  upstream = await serve({
    name: "fake-upstreams",
    services: [UserService, ContentService, AccountService, StreamingService],
    routes(router) {
      router.service(UserService, {
        getSigningKeys() {
          jwksFetches++;
          return { jwksJson: signer.jwksJson() };
        },
        checkSession(req, ctx) {
          sessionChecks++;
          if (ctx.values.get(callerKey).kind !== "internal")
            throw new ConnectError("internal only", Code.PermissionDenied);
          return { active: open.has(req.sessionId) && req.userId === USER_ID };
        },
        getUser(req, ctx) {
          return {
            user: create(UserSchema, { userId: req.userId, name: echo(ctx as never, ctx.requestHeader) }),
          };
        },
        login() {
          return {};
        },
      });
      router.service(ContentService, {
        getContentDetails(req, ctx) {
          return {
            content: create(ContentSchema, {
              contentId: req.contentId,
              title: echo(ctx as never, ctx.requestHeader),
            }),
          };
        },
        createContent() {
          return {};
        },
      });
      router.service(AccountService, {
        listPlans() {
          return { plans: [] };
        },
      });
      router.service(StreamingService, {
        getQoeSummary() {
          return { concurrentSessions: 7 };
        },
      });
    },
    port: 0,
    host: "127.0.0.1",
    log: createLogger("fake", "silent"),
  });
  gateway = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_USER_URL: upstream.url,
    MARQUEE_CONTENT_URL: upstream.url,
    MARQUEE_ACCOUNT_URL: upstream.url,
    MARQUEE_STREAMING_URL: upstream.url,
    MARQUEE_GATEWAY_SESSION_CACHE_MS: "300",
    MARQUEE_GATEWAY_JWKS_REFETCH_MS: "0",
    MARQUEE_PARTNER_API_KEYS: `reader:${hashApiKey(READER_KEY)}:;writer:${hashApiKey(WRITER_KEY)}:catalog:write`,
  });
});

test.after.always(async () => {
  await gateway?.close();
  await upstream?.close();
});

const users = () =>
  createClient(UserService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
const content = () => createClient(ContentService, createGrpcTransport({ baseUrl: gateway.url }));
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok" as const,
    (e: unknown) => ConnectError.from(e).code,
  );

test.serial(
  "a valid access token makes the caller a member, with profile and cap, and the session passed on",
  async (t) => {
    const token = await mint({ claims: { pid: PROFILE, mc: 2 } });
    const res = await users().getUser({ userId: USER_ID }, bearer(token));
    const echo = JSON.parse(res.user?.name ?? "{}");
    t.deepEqual(echo.caller, {
      kind: "member",
      userId: USER_ID,
      profileId: PROFILE,
      maturityCap: 2,
      scopes: [],
    });
    t.is(echo.session, SESSION);
  },
);

test.serial(
  "the member's country from the token is passed on; a client's own country header never is",
  async (t) => {
    const echoOf = async (token: string, headers: Record<string, string> = {}) => {
      const res = await users().getUser(
        { userId: USER_ID },
        { headers: { authorization: `Bearer ${token}`, ...headers } },
      );
      return JSON.parse(res.user?.name ?? "{}");
    };
    t.is((await echoOf(await mint({ claims: { cc: "NO" } }))).country, "NO");
    t.is((await echoOf(await mint(), { "x-marquee-country": "US" })).country, undefined);
    t.is((await echoOf(await mint({ claims: { cc: "norway" } }))).country, undefined, "not a country code");
  },
);

test.serial("member RPCs without credentials are Unauthenticated and never reach the service", async (t) => {
  const err = ConnectError.from(await t.throwsAsync(users().getUser({ userId: USER_ID })));
  t.is(err.code, Code.Unauthenticated);
  t.regex(err.rawMessage, /Authorization: Bearer/);
  t.is(
    await codeOf(users().getUser({ userId: USER_ID }, { headers: { authorization: "Basic abc" } })),
    Code.Unauthenticated,
  );
});

test.serial("an expired token is refused", async (t) => {
  const token = await mint({ exp: Math.floor(Date.now() / 1000) - 5 });
  const err = ConnectError.from(await t.throwsAsync(users().getUser({ userId: USER_ID }, bearer(token))));
  t.is(err.code, Code.Unauthenticated);
  t.regex(err.rawMessage, /expired/);
});

test.serial(
  "a token accepted before is refused once it expires (verified tokens are remembered only until then)",
  async (t) => {
    const token = await mint({ exp: Math.floor(Date.now() / 1000) + 2 });
    t.is(await codeOf(users().getUser({ userId: USER_ID }, bearer(token))), "ok");
    t.is(await codeOf(users().getUser({ userId: USER_ID }, bearer(token))), "ok");
    await waitFor(
      "the remembered token to be refused after its expiry",
      async () =>
        (await codeOf(users().getUser({ userId: USER_ID }, bearer(token)))) === Code.Unauthenticated,
      10_000,
    );
    t.pass();
  },
);

test.serial("a token signed with another key is refused, under a known or an unknown key id", async (t) => {
  const stranger = (await generateKeyPair("EdDSA", { crv: "Ed25519" })).privateKey;
  t.is(
    await codeOf(users().getUser({ userId: USER_ID }, bearer(await mint({ key: stranger })))),
    Code.Unauthenticated,
  );
  const before = jwksFetches;
  t.is(
    await codeOf(users().getUser({ userId: USER_ID }, bearer(await mint({ key: stranger, kid: "nope" })))),
    Code.Unauthenticated,
  );
  t.true(jwksFetches > before, "an unknown key id makes the gateway look for new keys once");
  // A tampered payload fails the signature too.
  const [h, , s] = (await mint()).split(".");
  const forged = Buffer.from(
    JSON.stringify({ sub: "someone-else", sid: SESSION, iss: "marquee-user", aud: "marquee", exp: 9e9 }),
  ).toString("base64url");
  t.is(
    await codeOf(users().getUser({ userId: USER_ID }, bearer(`${h}.${forged}.${s}`))),
    Code.Unauthenticated,
  );
});

test.serial("a key the user service rotated in is fetched and accepted", async (t) => {
  const fresh = await newKey("k2");
  const res = await users().getUser({ userId: USER_ID }, bearer(await mint({ key: fresh, kid: "k2" })));
  t.is(res.user?.userId, USER_ID);
});

test.serial("a token of a session that ended is refused (within the session cache time)", async (t) => {
  // A session of its own: the gateway caches the "ended" answer, which must not leak into other tests.
  const ending = "aaaaaaaa-2222-4333-8444-555555555555";
  open.add(ending);
  const token = await mint({ sid: ending });
  await users().getUser({ userId: USER_ID }, bearer(token));
  open.delete(ending);
  await waitFor(
    "the logged-out token to be refused",
    async () => (await codeOf(users().getUser({ userId: USER_ID }, bearer(token)))) === Code.Unauthenticated,
    5_000,
  );
  t.is(
    await codeOf(
      users().getUser(
        { userId: USER_ID },
        bearer(await mint({ sid: "99999999-2222-4333-8444-555555555555" })),
      ),
    ),
    Code.Unauthenticated,
  );
});

test.serial("session checks are cached for the configured time", async (t) => {
  // A second gateway with a long cache, so the count does not depend on how fast this machine is.
  const cached = await startGateway({
    MARQUEE_GATEWAY_PORT: "0",
    MARQUEE_LOG_LEVEL: "silent",
    MARQUEE_USER_URL: upstream.url,
    MARQUEE_GATEWAY_SESSION_CACHE_MS: "60000",
  });
  t.teardown(() => cached.close());
  const client = createClient(UserService, createGrpcTransport({ baseUrl: cached.url }));
  const token = await mint();
  const before = sessionChecks;
  for (let i = 0; i < 5; i++) await client.getUser({ userId: USER_ID }, bearer(token));
  t.is(sessionChecks - before, 1);
});

test.serial("internal RPCs are refused from outside, whoever calls", async (t) => {
  const token = await mint();
  for (const opts of [{}, bearer(token), { headers: { "x-api-key": WRITER_KEY } }]) {
    t.is(await codeOf(users().getSigningKeys({}, opts)), Code.PermissionDenied);
    t.is(
      await codeOf(users().checkSession({ sessionId: SESSION, userId: USER_ID }, opts)),
      Code.PermissionDenied,
    );
  }
  // A forged internal caller header changes nothing.
  const forged = {
    headers: { "x-marquee-caller": encodeCaller({ kind: "internal", service: "x", scopes: [] }) },
  };
  t.is(await codeOf(users().getSigningKeys({}, forged)), Code.PermissionDenied);
  t.is(await codeOf(users().getUser({ userId: USER_ID }, forged)), Code.Unauthenticated);
});

test.serial(
  "partner API keys: hashed lookup, scopes enforced, members refused on partner-only RPCs",
  async (t) => {
    const reader = { headers: { "x-api-key": READER_KEY } };
    const writer = { headers: { "x-api-key": WRITER_KEY } };
    const res = await content().getContentDetails({ contentId: USER_ID }, reader);
    t.deepEqual(JSON.parse(res.content?.title ?? "{}").caller, {
      kind: "partner",
      partnerId: "reader",
      scopes: [],
    });
    t.is(await codeOf(content().createContent({}, reader)), Code.PermissionDenied);
    t.not(await codeOf(content().createContent({}, writer)), Code.PermissionDenied);
    t.is(await codeOf(content().createContent({}, bearer(await mint()))), Code.PermissionDenied);
    t.is(
      await codeOf(
        content().getContentDetails({ contentId: USER_ID }, { headers: { "x-api-key": "guessed" } }),
      ),
      Code.Unauthenticated,
    );
    t.is(
      await codeOf(users().getUser({ userId: USER_ID }, reader)),
      Code.PermissionDenied,
      "member RPCs are not for partners",
    );
  },
);

test.serial("public RPCs need no credentials, and a stale token does not block them", async (t) => {
  const plans = createClient(
    AccountService,
    createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }),
  );
  t.is(await codeOf(plans.listPlans({})), "ok");
  const expired = await mint({ exp: Math.floor(Date.now() / 1000) - 5 });
  t.is(
    await codeOf(users().login({ email: "a@example.com", password: "x", deviceName: "" }, bearer(expired))),
    "ok",
  );
});

test.serial(
  "GetQoeSummary opens only to a member whose token carries the operator role, which is passed on",
  async (t) => {
    const streaming = createClient(
      StreamingService,
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }),
    );
    const qoe = (opts?: { headers: Record<string, string> }) => codeOf(streaming.getQoeSummary({}, opts));
    t.is(await qoe(), Code.Unauthenticated);
    t.is(await qoe(bearer(await mint())), Code.PermissionDenied);
    t.is(await qoe(bearer(await mint({ claims: { rol: ["admin"] } }))), Code.PermissionDenied);
    t.is(await qoe({ headers: { "x-api-key": WRITER_KEY } }), Code.PermissionDenied);
    const operator = bearer(await mint({ claims: { rol: ["operator"] } }));
    t.is(await qoe(operator), "ok");
    t.is((await streaming.getQoeSummary({}, operator)).concurrentSessions, 7);
    const echo = JSON.parse((await users().getUser({ userId: USER_ID }, operator)).user?.name ?? "{}");
    t.deepEqual(echo.caller.roles, ["operator"]);
  },
);
