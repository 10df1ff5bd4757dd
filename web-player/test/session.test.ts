import test from "ava";
import {
  jwtClaims,
  needsRefresh,
  SessionError,
  SessionManager,
  type Tokens,
  tokenCarriesProfile,
} from "../src/lib/session.js";

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: "EdDSA" })}.${b64(claims)}.sig`;

const user = { userId: "u1", email: "a@b.c", name: "Ada", country: "NO" };
const profile = { profileId: "p-1", name: "Ada", avatar: "red", kids: false, pinProtected: false };

function setup(opts: { refresh?: (rt: string) => Promise<Tokens>; carryProfile?: boolean } = {}) {
  let now = 1_000_000;
  let n = 0;
  const refreshCalls: string[] = [];
  const selectCalls: string[] = [];
  const storage = new MemoryStorage();
  let signedOut = 0;
  const issue = (): Tokens => {
    n += 1;
    return {
      accessToken: jwt(opts.carryProfile ? { sub: "u1", pid: "p-1", n } : { sub: "u1", n }),
      accessExpireMs: now + 300_000,
      refreshToken: `refresh-${n}`,
      refreshExpireMs: now + 86_400_000,
      sessionId: "s1",
    };
  };
  const manager = new SessionManager({
    storage,
    now: () => now,
    refresh:
      opts.refresh ??
      (async (rt) => {
        refreshCalls.push(rt);
        return issue();
      }),
    async selectProfile(profileId, memberToken) {
      selectCalls.push(`${profileId}:${jwtClaims(memberToken).n}`);
      return { token: `profile-token-${selectCalls.length}`, expireMs: now + 300_000 };
    },
    onSignedOut: () => {
      signedOut += 1;
    },
  });
  return {
    manager,
    storage,
    issue,
    refreshCalls,
    selectCalls,
    advance: (ms: number) => {
      now += ms;
    },
    signedOut: () => signedOut,
  };
}

test("jwtClaims reads the payload and tolerates garbage", (t) => {
  t.deepEqual(jwtClaims(jwt({ sub: "x", pid: "p" })), { sub: "x", pid: "p" });
  t.deepEqual(jwtClaims("not-a-jwt"), {});
  t.deepEqual(jwtClaims("a.!!!.c"), {});
  t.true(tokenCarriesProfile(jwt({ profile_id: "p-9" }), "p-9"));
  t.false(tokenCarriesProfile(jwt({ sub: "u" }), "p-9"));
});

test("needsRefresh: due within the skew or unknown", (t) => {
  t.true(needsRefresh(undefined, 0, 30_000));
  t.true(needsRefresh(1_020_000, 1_000_000, 30_000));
  t.false(needsRefresh(1_040_000, 1_000_000, 30_000));
});

test("a fresh token is used as is; a due one is rotated once for concurrent callers", async (t) => {
  const s = setup();
  const first = s.issue();
  s.manager.signIn(user, first);
  t.is(await s.manager.token(), first.accessToken);
  t.deepEqual(s.refreshCalls, []);
  s.advance(290_000); // 10 s left: inside the 30 s skew
  const tokens = await Promise.all([s.manager.token(), s.manager.token(), s.manager.token()]);
  t.deepEqual(s.refreshCalls, ["refresh-1"]);
  t.is(new Set(tokens).size, 1);
  t.is(s.manager.current?.tokens.refreshToken, "refresh-2", "the rotated refresh token is stored");
});

test("after a refresh the profile stays selected: re-selected when the new token lacks it", async (t) => {
  const s = setup();
  s.manager.signIn(user, s.issue());
  s.manager.selectProfile(profile, "profile-token-0", 1_000_000 + 300_000);
  t.is(await s.manager.token(), "profile-token-0");
  s.advance(280_000);
  t.is(await s.manager.token(), "profile-token-1");
  t.deepEqual(s.selectCalls, ["p-1:2"], "SelectProfile was called with the new member token");
  t.is(s.manager.profile?.profileId, "p-1");
});

test("after a refresh a token that carries the profile is used directly", async (t) => {
  const s = setup({ carryProfile: true });
  s.manager.signIn(user, s.issue());
  s.manager.selectProfile(profile, "profile-token-0", 1_000_000 + 100_000);
  s.advance(90_000);
  const token = await s.manager.token();
  t.is(jwtClaims(token).pid, "p-1");
  t.deepEqual(s.selectCalls, []);
});

test("a refused refresh signs out; one rotated by another tab meanwhile does not", async (t) => {
  const gone = setup({
    refresh: async () => {
      throw new SessionError("session revoked", true);
    },
  });
  gone.manager.signIn(user, gone.issue());
  gone.advance(299_000);
  await t.throwsAsync(gone.manager.token(), { message: "session revoked" });
  t.false(gone.manager.signedIn);
  t.is(gone.signedOut(), 1);

  let otherTab: (() => void) | undefined;
  const raced = setup({
    refresh: async () => {
      otherTab?.();
      throw new SessionError("refresh token already used", true);
    },
  });
  const newer: Tokens = {
    accessToken: "from-other-tab",
    accessExpireMs: Date.now() * 2,
    refreshToken: "refresh-other",
    refreshExpireMs: Date.now() * 2,
    sessionId: "s1",
  };
  otherTab = () => raced.manager.signIn(user, newer);
  raced.manager.signIn(user, raced.issue());
  raced.advance(299_000);
  await t.notThrowsAsync(raced.manager.refresh(), "the other tab's rotation wins");
  t.true(raced.manager.signedIn, "still signed in with the other tab's tokens");
  t.is(raced.manager.tokenNow(), "from-other-tab");
  t.is(raced.signedOut(), 0);
});

test("memberToken ignores the profile; clearProfile and signOut forget it", async (t) => {
  const s = setup();
  const first = s.issue();
  s.manager.signIn(user, first);
  s.manager.selectProfile(profile, "profile-token-0", 1_000_000 + 300_000);
  t.is(await s.manager.memberToken(), first.accessToken);
  s.manager.clearProfile();
  t.is(s.manager.tokenNow(), first.accessToken);
  s.manager.signOut();
  t.is(s.manager.tokenNow(), "");
  t.is(s.storage.map.size, 0);
});
