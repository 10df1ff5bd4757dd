/**
 * The signed-in session in the browser: the member's tokens and the selected
 * profile, kept in localStorage (so a reload or a new tab stays signed in),
 * with refresh-token rotation. No protobuf or DOM imports: tests drive it with
 * a fake storage, clock and RPCs.
 */

export interface SessionUser {
  userId: string;
  email: string;
  name: string;
  country: string;
}

export interface SessionProfile {
  profileId: string;
  name: string;
  avatar: string;
  kids: boolean;
  pinProtected: boolean;
}

/** Tokens of a session as returned by Login and RefreshSession, times in epoch milliseconds. */
export interface Tokens {
  accessToken: string;
  accessExpireMs: number;
  refreshToken: string;
  refreshExpireMs: number;
  sessionId: string;
}

export interface StoredSession {
  user: SessionUser;
  tokens: Tokens;
  profile?: SessionProfile | undefined;
  /** Profile-scoped access token (SelectProfile, or a refreshed token that carries the profile). */
  profileToken?: string | undefined;
  profileExpireMs?: number | undefined;
}

type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export interface SessionDeps {
  storage: KeyValueStore;
  now: () => number;
  /** RefreshSession: rotates the refresh token. Rejects with `unauthenticated: true` when the session is gone. */
  refresh: (refreshToken: string) => Promise<Tokens>;
  /**
   * SelectProfile without a PIN, authenticated with the given member token;
   * undefined when the profile needs its PIN (the member must pick it again).
   */
  selectProfile: (
    profileId: string,
    memberToken: string,
  ) => Promise<{ token: string; expireMs: number } | undefined>;
  /** Called when the session ended (refresh refused, sign-out). */
  onSignedOut?: () => void;
  key?: string;
  /** Refresh this long before the access token expires. */
  skewMs?: number;
}

/** The claims of a JWT, without verifying it (the gateway verifies); {} when unreadable. */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const json = decodeURIComponent(
      Array.from(atob(padded), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** True when some claim of the token names the profile (a refreshed token kept the selection). */
export function tokenCarriesProfile(token: string, profileId: string): boolean {
  return Object.values(jwtClaims(token)).some((v) => v === profileId);
}

/** True when a token expiring at `expireMs` should be refreshed now. */
export function needsRefresh(expireMs: number | undefined, now: number, skewMs: number): boolean {
  return expireMs === undefined || expireMs - now <= skewMs;
}

export class SessionError extends Error {
  constructor(
    message: string,
    readonly unauthenticated: boolean,
  ) {
    super(message);
  }
}

export class SessionManager {
  readonly #deps: SessionDeps;
  readonly #key: string;
  readonly #skewMs: number;
  #refreshing: Promise<void> | undefined;

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.#key = deps.key ?? "marquee.session";
    this.#skewMs = deps.skewMs ?? 30_000;
  }

  /** The stored session, read fresh each time (another tab may have rotated the tokens). */
  get current(): StoredSession | undefined {
    const raw = this.#deps.storage.getItem(this.#key);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as StoredSession;
    } catch {
      return undefined;
    }
  }

  get signedIn(): boolean {
    const s = this.current;
    return s !== undefined && s.tokens.refreshExpireMs > this.#deps.now();
  }

  get profile(): SessionProfile | undefined {
    return this.current?.profile;
  }

  #save(session: StoredSession | undefined): void {
    if (session) this.#deps.storage.setItem(this.#key, JSON.stringify(session));
    else this.#deps.storage.removeItem(this.#key);
  }

  signIn(user: SessionUser, tokens: Tokens): void {
    this.#save({ user, tokens });
  }

  selectProfile(profile: SessionProfile, token: string, expireMs: number): void {
    const s = this.current;
    if (!s) throw new SessionError("not signed in", true);
    this.#save({ ...s, profile, profileToken: token, profileExpireMs: expireMs });
  }

  clearProfile(): void {
    const s = this.current;
    if (s) this.#save({ user: s.user, tokens: s.tokens });
  }

  signOut(): void {
    const had = this.current !== undefined;
    this.#save(undefined);
    if (had) this.#deps.onSignedOut?.();
  }

  /** The token to send right now, without refreshing (for keepalive requests on page hide). */
  tokenNow(): string {
    const s = this.current;
    if (!s) return "";
    return s.profileToken ?? s.tokens.accessToken;
  }

  /** The member-level token (no profile), refreshed when due. */
  async memberToken(): Promise<string> {
    const s = this.current;
    if (!s) return "";
    if (needsRefresh(s.tokens.accessExpireMs, this.#deps.now(), this.#skewMs)) await this.refresh();
    return this.current?.tokens.accessToken ?? "";
  }

  /** The token to send: the profile's when one is selected, refreshed when due. */
  async token(): Promise<string> {
    const s = this.current;
    if (!s) return "";
    const expire = s.profileToken ? s.profileExpireMs : s.tokens.accessExpireMs;
    if (needsRefresh(expire, this.#deps.now(), this.#skewMs)) await this.refresh();
    return this.tokenNow();
  }

  /** Rotates the tokens once, however many calls ask at the same time. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    const before = this.current;
    if (!before) return;
    let tokens: Tokens;
    try {
      tokens = await this.#deps.refresh(before.tokens.refreshToken);
    } catch (err) {
      if (err instanceof SessionError && err.unauthenticated) {
        // Another tab may have rotated first: its tokens are in storage now.
        const latest = this.current;
        if (latest && latest.tokens.refreshToken !== before.tokens.refreshToken) return;
        this.signOut();
      }
      throw err;
    }
    const after: StoredSession = { user: before.user, tokens };
    const profile = before.profile;
    if (profile) {
      if (tokenCarriesProfile(tokens.accessToken, profile.profileId)) {
        Object.assign(after, {
          profile,
          profileToken: tokens.accessToken,
          profileExpireMs: tokens.accessExpireMs,
        });
      } else {
        const selected = await this.#deps
          .selectProfile(profile.profileId, tokens.accessToken)
          .catch(() => undefined);
        if (selected)
          Object.assign(after, { profile, profileToken: selected.token, profileExpireMs: selected.expireMs });
      }
    }
    this.#save(after);
  }
}
