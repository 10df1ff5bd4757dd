import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { waitFor } from "@marquee/kit/testing";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { decodeJwt } from "jose";
import { startMembersPlatform } from "./fixtures/members.js";

/**
 * A member's whole life over the gateway, with the user service and the
 * gateway as real processes: register → login → profiles → select → refresh →
 * logout → delete.
 */
/** The value, or a test failure when it is missing. */
const must = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("expected a value");
  return value;
};

let platform: Awaited<ReturnType<typeof startMembersPlatform>>;

test.before(async () => {
  platform = await startMembersPlatform({
    MARQUEE_GATEWAY_TRUST_FORWARDED_FOR: "1",
    MARQUEE_USER_LOGIN_MAX_FAILURES_PER_ADDRESS: "4",
  });
});
test.after.always(() => platform?.close());

const client = () =>
  createClient(UserService, createConnectTransport({ baseUrl: platform.gatewayUrl, httpVersion: "1.1" }));
const grpcClient = () => createClient(UserService, createGrpcTransport({ baseUrl: platform.gatewayUrl }));
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok" as const,
    (e: unknown) => ConnectError.from(e).code,
  );

test.serial("register → login → profiles → select → refresh → logout → delete", async (t) => {
  const users = client();
  const email = `lifecycle.${Date.now()}@example.com`;
  const password = "a long enough password";
  const { user } = await users.registerUser({
    email: email.toUpperCase(),
    password,
    name: "Ada",
    dateOfBirth: "1985-12-10",
    country: "GB",
  });
  const userId = must(user).userId;
  t.is(user?.email, email);

  // Two devices.
  const phone = must((await users.login({ email, password, deviceName: "phone" })).tokens);
  const tv = must((await grpcClient().login({ email, password, deviceName: "tv" })).tokens);
  t.not(phone.sessionId, tv.sessionId);
  t.is((await users.getUser({ userId }, bearer(phone.accessToken))).user?.name, "Ada");

  // Profiles.
  const kids = must(
    (
      await users.createProfile(
        { userId, name: "Kids", kids: true, avatar: "fox" },
        bearer(phone.accessToken),
      )
    ).profile,
  );
  const adult = must(
    (await users.createProfile({ userId, name: "Ada", pin: "4321" }, bearer(phone.accessToken))).profile,
  );
  t.deepEqual(
    (await users.listProfiles({ userId }, bearer(tv.accessToken))).profiles.map((p) => p.name),
    ["Kids", "Ada"],
  );
  t.is(
    await codeOf(users.selectProfile({ profileId: adult.profileId, pin: "0000" }, bearer(phone.accessToken))),
    Code.PermissionDenied,
  );
  const selected = await users.selectProfile({ profileId: kids.profileId }, bearer(phone.accessToken));
  t.is(decodeJwt(selected.accessToken).pid, kids.profileId);
  t.is(decodeJwt(selected.accessToken).mc, MaturityRating.KIDS);
  await users.updateProfile({ profileId: kids.profileId, name: "Little ones" }, bearer(selected.accessToken));

  // Refresh keeps the selected profile and rotates the refresh token.
  const refreshed = must((await users.refreshSession({ refreshToken: phone.refreshToken })).tokens);
  t.is(decodeJwt(refreshed.accessToken).pid, kids.profileId);
  t.not(refreshed.refreshToken, phone.refreshToken);

  // Logout of the phone: its tokens stop working, the TV's do not.
  await users.logout({ refreshToken: refreshed.refreshToken });
  await waitFor(
    "the phone's access token to be refused",
    async () =>
      (await codeOf(users.getUser({ userId }, bearer(refreshed.accessToken)))) === Code.Unauthenticated,
    5_000,
  );
  t.is(await codeOf(users.refreshSession({ refreshToken: refreshed.refreshToken })), Code.Unauthenticated);
  t.is(await codeOf(users.getUser({ userId }, bearer(tv.accessToken))), "ok");

  // Delete, with the password again.
  t.is(
    await codeOf(users.deleteUser({ userId, password: "not the password" }, bearer(tv.accessToken))),
    Code.PermissionDenied,
  );
  await users.deleteUser({ userId, password }, bearer(tv.accessToken));
  await waitFor(
    "the TV's token to be refused after deletion",
    async () => (await codeOf(users.getUser({ userId }, bearer(tv.accessToken)))) === Code.Unauthenticated,
    5_000,
  );
  t.is(await codeOf(users.login({ email, password, deviceName: "" })), Code.Unauthenticated);
});

test.serial("member A is refused on member B's account and profiles through the gateway", async (t) => {
  const users = client();
  const password = "a long enough password";
  const signUp = async (name: string) => {
    const email = `${name}.${Date.now()}@example.com`;
    const { user } = await users.registerUser({
      email,
      password,
      name,
      dateOfBirth: "1990-01-01",
      country: "SE",
    });
    const tokens = must((await users.login({ email, password, deviceName: "" })).tokens);
    return { userId: must(user).userId, token: tokens.accessToken };
  };
  const a = await signUp("alice");
  const b = await signUp("bob");
  const bProfile = must(
    (await users.createProfile({ userId: b.userId, name: "Bob" }, bearer(b.token))).profile,
  );
  const asA = bearer(a.token);
  const attempts: Array<[string, Promise<unknown>]> = [
    ["GetUser", users.getUser({ userId: b.userId }, asA)],
    ["UpdateUserProfile", users.updateUserProfile({ userId: b.userId, name: "x" }, asA)],
    [
      "ChangePassword",
      users.changePassword(
        { userId: b.userId, currentPassword: password, newPassword: "another long one" },
        asA,
      ),
    ],
    ["DeleteUser", users.deleteUser({ userId: b.userId, password }, asA)],
    ["CreateProfile", users.createProfile({ userId: b.userId, name: "x" }, asA)],
    ["ListProfiles", users.listProfiles({ userId: b.userId }, asA)],
    ["UpdateProfile", users.updateProfile({ profileId: bProfile.profileId, name: "x" }, asA)],
    ["DeleteProfile", users.deleteProfile({ profileId: bProfile.profileId }, asA)],
    ["SelectProfile", users.selectProfile({ profileId: bProfile.profileId }, asA)],
  ];
  for (const [rpc, call] of attempts) {
    const code = await codeOf(call);
    t.true(code === Code.PermissionDenied || code === Code.NotFound, `${rpc}: ${String(code)}`);
  }
  const bAfter = await users.listProfiles({ userId: b.userId }, bearer(b.token));
  t.deepEqual(
    bAfter.profiles.map((p) => p.name),
    ["Bob"],
  );
  t.is((await users.getUser({ userId: b.userId }, bearer(b.token))).user?.name, "bob");
});

test.serial("failed logins from one address are throttled with a retry-after header", async (t) => {
  const users = client();
  const from = { "x-forwarded-for": "192.0.2.44" };
  for (let i = 0; i < 4; i++) {
    t.is(
      await codeOf(
        users.login(
          { email: `nobody${i}@example.com`, password: "guess", deviceName: "" },
          { headers: from },
        ),
      ),
      Code.Unauthenticated,
    );
  }
  let retryAfter: string | null = null;
  const err = ConnectError.from(
    await t.throwsAsync(
      users.login({ email: "nobody@example.com", password: "guess", deviceName: "" }, { headers: from }),
    ),
  );
  retryAfter = err.metadata.get("retry-after");
  t.is(err.code, Code.ResourceExhausted);
  t.true(Number(retryAfter) > 0, `retry-after: ${retryAfter}`);
  // Another address still gets an answer.
  t.is(
    await codeOf(
      users.login(
        { email: "nobody@example.com", password: "guess", deviceName: "" },
        { headers: { "x-forwarded-for": "192.0.2.45" } },
      ),
    ),
    Code.Unauthenticated,
  );
});

test.serial("bad registrations are InvalidArgument through the gateway", async (t) => {
  const users = client();
  const ok = {
    email: `ok.${Date.now()}@example.com`,
    password: "a long enough password",
    name: "Ok",
    dateOfBirth: "1990-01-01",
    country: "NO",
  };
  for (const bad of [
    { email: "nope" },
    { password: "short" },
    { dateOfBirth: "2999-12-31" },
    { name: "n".repeat(500) },
  ]) {
    t.is(
      await codeOf(users.registerUser({ ...ok, ...bad })),
      Code.InvalidArgument,
      JSON.stringify(bad).slice(0, 40),
    );
  }
  // Nothing was written: the e-mail is still free.
  t.is(await codeOf(users.registerUser(ok)), "ok");
});
