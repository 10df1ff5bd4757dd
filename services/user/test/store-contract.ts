import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import { profileNameKey } from "../src/rules.js";
import type { ProfileRecord, SessionRecord, UserRecord, UserStore } from "../src/store.js";

/**
 * Opens a store for one test. `rows` lists every stored row (every table /
 * every key) as text, so a test can prove a member left no trace.
 */
export type UserStoreFactory = () => Promise<{ store: UserStore; rows: () => Promise<string[]> }>;

const at = (ms: number) => new Date(Math.floor(ms));

export function member(overrides: Partial<UserRecord> = {}): UserRecord {
  const now = at(Date.now());
  return {
    userId: randomUUID(),
    email: `${randomUUID()}@example.com`,
    name: "Member",
    dateOfBirth: "1990-01-01",
    country: "NO",
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
    createTime: now,
    updateTime: now,
    ...overrides,
  };
}

export function profile(userId: string, name: string, offsetMs = 0): ProfileRecord {
  return {
    profileId: randomUUID(),
    userId,
    name,
    avatar: "",
    kids: false,
    maturityCap: 0,
    pinHash: "",
    createTime: at(Date.now() + offsetMs),
  };
}

function session(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: randomUUID(),
    userId,
    deviceName: "tv",
    refreshHash: randomUUID(),
    retiredHashes: [],
    profileId: "",
    createTime: at(Date.now()),
    expireTime: at(Date.now() + 3_600_000),
    ...overrides,
  };
}

/** The behaviour every UserStore adapter must have; each adapter's test file calls this. */
export function userStoreContract(test: TestFn, open: UserStoreFactory): void {
  test("creates a member, finds them by id and e-mail, and refuses a second member with that e-mail", async (t) => {
    const { store } = await open();
    const m = member();
    t.true(await store.createUser(m));
    t.deepEqual(await store.getUser(m.userId), m);
    t.is(await store.findUserIdByEmail(m.email), m.userId);
    t.false(await store.createUser(member({ email: m.email })));
    t.is(await store.findUserIdByEmail(m.email), m.userId);
    t.is(await store.getUser(randomUUID()), undefined);
  });

  test("of simultaneous registrations with one e-mail exactly one wins", async (t) => {
    const { store } = await open();
    const email = `${randomUUID()}@example.com`;
    const contenders = Array.from({ length: 8 }, () => member({ email }));
    const results = await Promise.all(contenders.map((m) => store.createUser(m)));
    t.is(results.filter(Boolean).length, 1);
    const winner = contenders[results.indexOf(true)] as UserRecord;
    t.is(await store.findUserIdByEmail(email), winner.userId);
    const losers = contenders.filter((m) => m !== winner);
    for (const m of losers) t.is(await store.getUser(m.userId), undefined);
  });

  test("updates name, country and password hash", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const next = {
      ...m,
      name: "New",
      country: "SE",
      passwordHash: "other",
      updateTime: at(Date.now() + 1000),
    };
    await store.updateUser(next);
    t.deepEqual(await store.getUser(m.userId), next);
  });

  test("profiles: oldest first, at most the limit even when created at once, names unique", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const first = profile(m.userId, "First", -10_000);
    t.is(await store.createProfile(first, 5, profileNameKey), "created");
    t.is(await store.createProfile(profile(m.userId, " FIRST "), 5, profileNameKey), "name-taken");
    const outcomes = await Promise.all(
      ["a", "b", "c", "d", "e", "f", "g"].map((n, i) =>
        store.createProfile(profile(m.userId, n, i), 5, profileNameKey),
      ),
    );
    t.is(outcomes.filter((o) => o === "created").length, 4);
    const list = await store.listProfiles(m.userId);
    t.is(list.length, 5);
    t.deepEqual(list[0], first);
    t.deepEqual(await store.getProfile(m.userId, first.profileId), first);
    t.is(await store.getProfile(randomUUID(), first.profileId), undefined, "only within its own account");
  });

  test("profiles: update checks names, delete removes", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const a = profile(m.userId, "A");
    const b = profile(m.userId, "B", 1);
    await store.createProfile(a, 5, profileNameKey);
    await store.createProfile(b, 5, profileNameKey);
    t.is(await store.updateProfile({ ...b, name: "a" }, profileNameKey), "name-taken");
    t.is(
      await store.updateProfile({ ...b, name: "Bee", pinHash: "h", maturityCap: 2 }, profileNameKey),
      "updated",
    );
    t.is((await store.getProfile(m.userId, b.profileId))?.name, "Bee");
    t.is((await store.getProfile(m.userId, b.profileId))?.pinHash, "h");
    t.is(await store.updateProfile({ ...profile(m.userId, "Ghost") }, profileNameKey), "not-found");
    const when = new Date(Math.floor(Date.now() / 1000) * 1000);
    const pending = await store.deleteProfile(m.userId, a.profileId, when);
    t.deepEqual(pending, { userId: m.userId, profileId: a.profileId, deleteTime: when });
    t.is(await store.deleteProfile(m.userId, a.profileId, when), undefined);
    t.is(await store.deleteProfile(m.userId, randomUUID(), when), undefined);
    t.deepEqual(
      (await store.listProfiles(m.userId)).map((p) => p.name),
      ["Bee"],
    );
    // The deletion and its outbox entry are one step; the entry stays until cleared.
    const mine = () =>
      store.pendingProfileDeletions().then((all) => all.filter((d) => d.userId === m.userId));
    t.deepEqual(await mine(), [pending]);
    await store.clearPendingProfileDeletion(a.profileId);
    t.deepEqual(await mine(), []);
  });

  test("sessions: refresh rotates once; a retired token revokes the session", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const s = session(m.userId);
    await store.createSession(s);
    t.deepEqual(await store.getSession(s.sessionId), s);
    const racers = await Promise.all([
      store.rotateRefresh(s.sessionId, s.refreshHash, "next-1", s.expireTime),
      store.rotateRefresh(s.sessionId, s.refreshHash, "next-2", s.expireTime),
    ]);
    t.true(racers.includes("rotated"), `outcomes ${racers.join(",")}`);
    // Either the loser was told "reused" (and the session ended), or a second rotation is now refused.
    if (!racers.includes("reused")) {
      t.is(await store.rotateRefresh(s.sessionId, s.refreshHash, "next-3", s.expireTime), "reused");
    }
    t.is(await store.getSession(s.sessionId), undefined);
    t.is(await store.rotateRefresh(s.sessionId, "next-1", "x", s.expireTime), "unknown");
  });

  test("sessions: unknown hashes change nothing; the selected profile is kept; expired sessions are gone", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const s = session(m.userId);
    await store.createSession(s);
    t.is(await store.rotateRefresh(s.sessionId, "guess", "x", s.expireTime), "unknown");
    t.is((await store.getSession(s.sessionId))?.refreshHash, s.refreshHash);
    await store.setSessionProfile(s.sessionId, "p-1");
    t.is((await store.getSession(s.sessionId))?.profileId, "p-1");
    const old = session(m.userId, { expireTime: at(Date.now() + 1_500) });
    await store.createSession(old);
    t.truthy(await store.getSession(old.sessionId));
    const { waitFor } = await import("@marquee/kit/testing");
    await waitFor(
      "the session to expire",
      async () => (await store.getSession(old.sessionId)) === undefined,
      5_000,
    );
    t.pass();
  });

  test("sessions: revoke one, revoke all of a member", async (t) => {
    const { store } = await open();
    const m = member();
    await store.createUser(m);
    const [s1, s2, s3] = [session(m.userId), session(m.userId), session(m.userId)];
    for (const s of [s1, s2, s3]) await store.createSession(s);
    const other = session(randomUUID());
    await store.createSession(other);
    await store.revokeSession(s1.sessionId);
    t.is(await store.getSession(s1.sessionId), undefined);
    t.truthy(await store.getSession(s2.sessionId));
    await store.revokeAllSessions(m.userId);
    t.is(await store.getSession(s2.sessionId), undefined);
    t.is(await store.getSession(s3.sessionId), undefined);
    t.truthy(await store.getSession(other.sessionId), "other members keep theirs");
  });

  test("the signing key: the first stored key wins, also under concurrent starts", async (t) => {
    const { store } = await open();
    const candidate = (kid: string) => ({
      kid,
      privateJwk: `{"k":"${kid}"}`,
      publicJwk: "{}",
      createTime: at(Date.now()),
    });
    const [a, b] = await Promise.all([store.signingKey(candidate("a")), store.signingKey(candidate("b"))]);
    t.is(a.kid, b.kid);
    t.is((await store.signingKey(candidate("c"))).kid, a.kid);
    t.is((await store.signingKey(candidate("d"))).privateJwk, a.privateJwk);
  });

  test("deletion erases every row of the member and leaves one outbox entry until cleared", async (t) => {
    const { store, rows } = await open();
    const m = member();
    const bystander = member();
    await store.createUser(m);
    await store.createUser(bystander);
    const p = profile(m.userId, "Mine");
    await store.createProfile(p, 5, profileNameKey);
    const s = session(m.userId, { profileId: p.profileId });
    await store.createSession(s);
    await store.createSession(session(m.userId));
    const when = at(Date.now());
    const pending = await store.deleteUser(m.userId, when);
    t.deepEqual(pending, { userId: m.userId, profileIds: [p.profileId], deleteTime: when });
    t.is(await store.getUser(m.userId), undefined);
    t.is(await store.findUserIdByEmail(m.email), undefined);
    t.deepEqual(await store.listProfiles(m.userId), []);
    t.is(await store.getSession(s.sessionId), undefined);
    const mine = (await store.pendingDeletions()).filter((d) => d.userId === m.userId);
    t.deepEqual(mine, [pending]);
    await store.clearPendingDeletion(m.userId);
    const traces = (await rows()).filter(
      (r) =>
        r.includes(m.userId) || r.includes(m.email) || r.includes(p.profileId) || r.includes(s.sessionId),
    );
    t.deepEqual(traces, [], "no row of the member anywhere");
    t.truthy(await store.getUser(bystander.userId));
    t.is(await store.deleteUser(m.userId, when), undefined);
  });
}
