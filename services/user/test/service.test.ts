import { fromBinary, toJsonString } from "@bufbuild/protobuf";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError } from "@connectrpc/connect";
import { CLIENT_IP_HEADER, createLogger, loadBackendsConfig, SESSION_HEADER } from "@marquee/kit";
import { type EventBus, openEventBus } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { ListProfilesResponseSchema, UserSchema } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { decodeJwt } from "jose";
import { as, INTERNAL, newMember, PASSWORD, startTestUserService } from "./fixtures.js";

/** The value, or a test failure when it is missing. */
const must = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("expected a value");
  return value;
};

const OPERATOR_EMAIL = `operator.${Date.now()}@example.com`;

type Ctx = Awaited<ReturnType<typeof startTestUserService>>;
let svc: Ctx;

test.before(async () => {
  svc = await startTestUserService({
    MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
    MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ADDRESS: "6",
    MARQUEE_USER_LOGIN_LOCKOUT_MS: "60000",
    MARQUEE_OPERATOR_EMAILS: ` ${OPERATOR_EMAIL.toUpperCase()} ,ops2@example.com`,
  });
});
test.after.always(() => svc?.close());

/** The code a call failed with, or "ok". */
const codeOf = async (p: Promise<unknown>): Promise<Code | "ok"> =>
  p.then(
    () => "ok" as const,
    (e: unknown) => ConnectError.from(e).code,
  );

async function signedIn(device = "test") {
  const reg = newMember();
  const { user } = await svc.client.registerUser(reg);
  const login = await svc.client.login({ email: reg.email, password: PASSWORD, deviceName: device });
  const userId = user?.userId as string;
  const sessionId = login.tokens?.sessionId as string;
  return {
    reg,
    userId,
    tokens: must(login.tokens),
    me: as({ kind: "member", userId }, { [SESSION_HEADER]: sessionId }),
  };
}

test("registration normalises the e-mail and never returns the password", async (t) => {
  const reg = newMember();
  const { user } = await svc.client.registerUser({ ...reg, email: reg.email.toUpperCase() });
  t.is(user?.email, reg.email);
  t.false(toJsonString(UserSchema, must(user)).includes(PASSWORD));
  const again = await codeOf(svc.client.registerUser({ ...reg, email: reg.email }));
  t.is(again, Code.AlreadyExists);
  const login = await svc.client.login({
    email: `  ${reg.email.toUpperCase()} `,
    password: PASSWORD,
    deviceName: "",
  });
  t.is(login.user?.userId, user?.userId);
});

test("two simultaneous registrations with one e-mail: exactly one succeeds", async (t) => {
  const reg = newMember();
  const results = await Promise.allSettled(Array.from({ length: 4 }, () => svc.client.registerUser(reg)));
  const ok = results.filter((r) => r.status === "fulfilled");
  t.is(ok.length, 1);
  for (const r of results) {
    if (r.status === "rejected") t.is(ConnectError.from(r.reason).code, Code.AlreadyExists);
  }
});

test("bad input gives InvalidArgument naming the field and writes nothing", async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ email: "not-an-email" }, /email/],
    [{ password: "short" }, /password/],
    [{ dateOfBirth: "2999-01-01" }, /date_of_birth: must not be in the future/],
    [{ dateOfBirth: "2001-02-30" }, /date_of_birth/],
    [{ name: "x".repeat(101) }, /name/],
    [{ email: `${"a".repeat(250)}@example.com` }, /email/],
    [{ country: "norway" }, /country/],
  ];
  for (const [overrides, field] of cases) {
    const reg = newMember(overrides);
    const err = ConnectError.from(await t.throwsAsync(svc.client.registerUser(reg)));
    t.is(err.code, Code.InvalidArgument, JSON.stringify(overrides));
    t.regex(err.rawMessage, field);
    t.true(err.findDetails(ViolationsSchema).length > 0);
    // Nothing was written: the account does not exist.
    const login = await codeOf(
      svc.client.login({ email: reg.email, password: reg.password, deviceName: "" }),
    );
    t.true(login === Code.Unauthenticated || login === Code.InvalidArgument, String(login));
  }
});

test("login opens a session with a signed access token; refresh rotates; reuse of an old token revokes the session", async (t) => {
  const { userId, tokens } = await signedIn();
  const claims = decodeJwt(tokens.accessToken);
  t.is(claims.sub, userId);
  t.is(claims.sid, tokens.sessionId);
  t.true((claims.exp as number) - (claims.iat as number) <= 15 * 60);
  const check = async () =>
    (await svc.client.checkSession({ sessionId: tokens.sessionId, userId }, INTERNAL)).active;
  t.true(await check());
  const first = await svc.client.refreshSession({ refreshToken: tokens.refreshToken });
  t.not(first.tokens?.refreshToken, tokens.refreshToken);
  t.is(first.tokens?.sessionId, tokens.sessionId);
  // The old refresh token used again: theft assumed, the whole session ends.
  t.is(await codeOf(svc.client.refreshSession({ refreshToken: tokens.refreshToken })), Code.Unauthenticated);
  t.false(await check());
  t.is(
    await codeOf(svc.client.refreshSession({ refreshToken: must(first.tokens).refreshToken })),
    Code.Unauthenticated,
  );
});

test("access tokens carry the member's country, from sign-in, refresh and profile selection, as it is then", async (t) => {
  const { userId, tokens, me } = await signedIn();
  t.is(decodeJwt(tokens.accessToken).cc, "NO");
  await svc.client.updateUserProfile({ userId, country: "SE" }, me);
  const refreshed = await svc.client.refreshSession({ refreshToken: tokens.refreshToken });
  t.is(decodeJwt(must(refreshed.tokens).accessToken).cc, "SE");
  const profile = must((await svc.client.createProfile({ userId, name: "Main" }, me)).profile);
  const selected = await svc.client.selectProfile({ profileId: profile.profileId }, me);
  t.is(decodeJwt(selected.accessToken).cc, "SE");
});

test("logout ends that device's session only; password change ends all", async (t) => {
  const a = await signedIn("phone");
  const tv = await svc.client.login({ email: a.reg.email, password: PASSWORD, deviceName: "tv" });
  const active = async (sessionId: string) =>
    (await svc.client.checkSession({ sessionId, userId: a.userId }, INTERNAL)).active;
  await svc.client.logout({ refreshToken: a.tokens.refreshToken });
  t.false(await active(a.tokens.sessionId));
  t.true(await active(must(tv.tokens).sessionId));
  t.is(
    await codeOf(svc.client.refreshSession({ refreshToken: a.tokens.refreshToken })),
    Code.Unauthenticated,
  );
  const laptop = await svc.client.login({ email: a.reg.email, password: PASSWORD, deviceName: "laptop" });
  await svc.client.changePassword(
    { userId: a.userId, currentPassword: PASSWORD, newPassword: "another long password" },
    as({ kind: "member", userId: a.userId }),
  );
  t.false(await active(must(tv.tokens).sessionId));
  t.false(await active(must(laptop.tokens).sessionId));
  t.is(
    await codeOf(svc.client.login({ email: a.reg.email, password: PASSWORD, deviceName: "" })),
    Code.Unauthenticated,
  );
  await svc.client.login({ email: a.reg.email, password: "another long password", deviceName: "" });
});

test("profiles: at most five, unique names, kids capped, PIN checked and throttled, select scopes the token", async (t) => {
  const { userId, me } = await signedIn();
  const kids = await svc.client.createProfile({ userId, name: "Kids", avatar: "owl", kids: true }, me);
  t.is(kids.profile?.maturityCap, MaturityRating.KIDS);
  t.is(
    await codeOf(
      svc.client.createProfile(
        { userId, name: "Teen kids", kids: true, maturityCap: MaturityRating.TEEN },
        me,
      ),
    ),
    Code.InvalidArgument,
  );
  t.is(await codeOf(svc.client.createProfile({ userId, name: " kids " }, me)), Code.AlreadyExists);
  const pinned = await svc.client.createProfile({ userId, name: "Parent", pin: "1234" }, me);
  t.true(pinned.profile?.pinProtected);
  await Promise.all(["A", "B", "C"].map((name) => svc.client.createProfile({ userId, name }, me)));
  t.is(await codeOf(svc.client.createProfile({ userId, name: "Sixth" }, me)), Code.FailedPrecondition);
  const list = await svc.client.listProfiles({ userId }, me);
  t.is(list.profiles.length, 5);
  t.is(list.profiles[0]?.name, "Kids");
  t.false(toJsonString(ListProfilesResponseSchema, list).includes("1234"));

  const selected = await svc.client.selectProfile({ profileId: must(kids.profile).profileId }, me);
  const claims = decodeJwt(selected.accessToken);
  t.is(claims.pid, kids.profile?.profileId);
  t.is(claims.mc, MaturityRating.KIDS);

  const parentId = must(pinned.profile).profileId;
  t.is(await codeOf(svc.client.selectProfile({ profileId: parentId }, me)), Code.PermissionDenied);
  for (let i = 0; i < 4; i++)
    await codeOf(svc.client.selectProfile({ profileId: parentId, pin: "0000" }, me));
  const err = ConnectError.from(
    await t.throwsAsync(svc.client.selectProfile({ profileId: parentId, pin: "1234" }, me)),
  );
  t.is(err.code, Code.ResourceExhausted, "even the right PIN waits once the profile is locked");
  t.regex(err.rawMessage, /try again in \d+ s/);

  const updated = await svc.client.updateProfile(
    { profileId: must(list.profiles[2]).profileId, name: "Renamed", pin: "" },
    me,
  );
  t.is(updated.profile?.name, "Renamed");
  await svc.client.deleteProfile({ profileId: must(list.profiles[4]).profileId }, me);
  t.is((await svc.client.listProfiles({ userId }, me)).profiles.length, 4);
});

test("authorization matrix: member A is refused on every RPC naming member B's ids", async (t) => {
  const a = await signedIn();
  const b = await signedIn();
  const bProfile = must((await svc.client.createProfile({ userId: b.userId, name: "B" }, b.me)).profile);
  const calls: Array<[string, Promise<unknown>]> = [
    ["GetUser", svc.client.getUser({ userId: b.userId }, a.me)],
    ["UpdateUserProfile", svc.client.updateUserProfile({ userId: b.userId, name: "pwned" }, a.me)],
    [
      "ChangePassword",
      svc.client.changePassword(
        { userId: b.userId, currentPassword: PASSWORD, newPassword: "hijacked password" },
        a.me,
      ),
    ],
    ["DeleteUser", svc.client.deleteUser({ userId: b.userId, password: PASSWORD }, a.me)],
    ["CreateProfile", svc.client.createProfile({ userId: b.userId, name: "intruder" }, a.me)],
    ["ListProfiles", svc.client.listProfiles({ userId: b.userId }, a.me)],
    ["UpdateProfile", svc.client.updateProfile({ profileId: bProfile.profileId, name: "pwned" }, a.me)],
    ["DeleteProfile", svc.client.deleteProfile({ profileId: bProfile.profileId }, a.me)],
    ["SelectProfile", svc.client.selectProfile({ profileId: bProfile.profileId }, a.me)],
    ["GetSigningKeys", svc.client.getSigningKeys({}, a.me)],
    ["CheckSession", svc.client.checkSession({ sessionId: b.tokens.sessionId, userId: b.userId }, a.me)],
  ];
  for (const [rpc, call] of calls) {
    const code = await codeOf(call);
    t.true(code === Code.PermissionDenied || code === Code.NotFound, `${rpc}: ${String(code)}`);
  }
  // B is untouched.
  const bNow = await svc.client.getUser({ userId: b.userId }, b.me);
  t.is(bNow.user?.name, b.reg.name);
  const bProfiles = await svc.client.listProfiles({ userId: b.userId }, b.me);
  t.deepEqual(
    bProfiles.profiles.map((p) => p.name),
    ["B"],
  );
  await svc.client.login({ email: b.reg.email, password: PASSWORD, deviceName: "" });
  // Anonymous callers are asked to sign in.
  t.is(await codeOf(svc.client.getUser({ userId: b.userId })), Code.Unauthenticated);
});

test("failed logins are throttled per account with a retry-after", async (t) => {
  const { reg } = await signedIn();
  for (let i = 0; i < 3; i++) {
    t.is(
      await codeOf(svc.client.login({ email: reg.email, password: "wrong password", deviceName: "" })),
      Code.Unauthenticated,
    );
  }
  let headers: Headers | undefined;
  const err = ConnectError.from(
    await t.throwsAsync(
      svc.client.login(
        { email: reg.email, password: PASSWORD, deviceName: "" },
        {
          onTrailer: (h) => {
            headers = h;
          },
        },
      ),
    ),
  );
  t.is(err.code, Code.ResourceExhausted);
  t.regex(err.rawMessage, /try again in \d+ s/);
  const retryAfter = Number(err.metadata.get("retry-after") ?? headers?.get("retry-after"));
  t.true(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
});

test("failed logins are throttled per client address across accounts", async (t) => {
  const ip = { [CLIENT_IP_HEADER]: "203.0.113.7" };
  const victims = await Promise.all([signedIn(), signedIn(), signedIn()]);
  for (const v of victims) {
    for (let i = 0; i < 2; i++)
      await codeOf(
        svc.client.login({ email: v.reg.email, password: "wrong password", deviceName: "" }, { headers: ip }),
      );
  }
  const fresh = await signedIn();
  t.is(
    await codeOf(
      svc.client.login({ email: fresh.reg.email, password: PASSWORD, deviceName: "" }, { headers: ip }),
    ),
    Code.ResourceExhausted,
  );
  // Another address is not affected.
  await svc.client.login(
    { email: fresh.reg.email, password: PASSWORD, deviceName: "" },
    { headers: { [CLIENT_IP_HEADER]: "198.51.100.1" } },
  );
});

test("DeleteUser asks for the password, erases everything and publishes user.deleted with the profile ids", async (t) => {
  const { userId, reg, me, tokens } = await signedIn();
  const p1 = must((await svc.client.createProfile({ userId, name: "One" }, me)).profile);
  const p2 = must((await svc.client.createProfile({ userId, name: "Two" }, me)).profile);
  t.is(
    await codeOf(svc.client.deleteUser({ userId, password: "wrong password" }, me)),
    Code.PermissionDenied,
  );
  t.truthy((await svc.client.getUser({ userId }, me)).user);

  const bus: EventBus = await openEventBus(
    loadBackendsConfig({ MARQUEE_BACKENDS: "embedded", MARQUEE_EMBEDDED_DATA_DIR: svc.dataDir }),
    "test",
    createLogger("test", "silent"),
  );
  t.teardown(() => bus.close());
  const seen: Array<{ userId: string; profileIds: string[] }> = [];
  const sub = await bus.consume({
    stream: "DOMAIN",
    durable: `t-${userId}`,
    filter: "user.deleted",
    handler: async (e) => void seen.push(fromBinary(UserDeletedSchema, e.data)),
  });
  t.teardown(() => sub.stop());
  await svc.client.deleteUser({ userId, password: PASSWORD }, me);
  const event = await waitFor("user.deleted", () => seen.find((e) => e.userId === userId));
  t.deepEqual([...event.profileIds].sort(), [p1.profileId, p2.profileId].sort());
  t.is(await codeOf(svc.client.getUser({ userId }, me)), Code.NotFound);
  t.false((await svc.client.checkSession({ sessionId: tokens.sessionId, userId }, INTERNAL)).active);
  // The e-mail is free again.
  await svc.client.registerUser(reg);
});

test("GetSigningKeys serves the public key only, and only to internal callers", async (t) => {
  const { jwksJson } = await svc.client.getSigningKeys({}, INTERNAL);
  const jwks = JSON.parse(jwksJson) as { keys: Array<Record<string, string>> };
  t.is(jwks.keys.length, 1);
  t.is(jwks.keys[0]?.crv, "Ed25519");
  t.truthy(jwks.keys[0]?.kid);
  t.is(jwks.keys[0]?.d, undefined, "no private part");
  t.is(await codeOf(svc.client.getSigningKeys({})), Code.PermissionDenied);
});

test("members listed in MARQUEE_OPERATOR_EMAILS get the operator role in their tokens, after a refresh too; others get none", async (t) => {
  const ops = newMember({ email: OPERATOR_EMAIL });
  await svc.client.registerUser(ops);
  const login = await svc.client.login({ email: ops.email, password: PASSWORD, deviceName: "ops" });
  t.deepEqual(decodeJwt(must(login.tokens).accessToken).rol, ["operator"]);
  const refreshed = await svc.client.refreshSession({ refreshToken: must(login.tokens).refreshToken });
  t.deepEqual(decodeJwt(must(refreshed.tokens).accessToken).rol, ["operator"]);
  const { tokens } = await signedIn();
  t.is(decodeJwt(tokens.accessToken).rol, undefined);
});
