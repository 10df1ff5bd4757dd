import { mkdirSync } from "node:fs";
import { SerialQueue } from "@marquee/kit";
import { ClassicLevel } from "classic-level";
import type { MyListCursor, MyListEntry } from "./profiles/my-list-store.js";
import { EmbeddedMyListStore, myListKeys } from "./profiles/my-list-store-embedded.js";
import type {
  CreateProfileOutcome,
  PendingDeletion,
  PendingProfileDeletion,
  ProfileRecord,
  RotateOutcome,
  SessionRecord,
  SigningKeyRecord,
  UpdateProfileOutcome,
  UserRecord,
  UserStore,
} from "./store.js";

/** Retired refresh hashes kept per session for reuse detection. */
const RETIRED_KEEP = 20;

type Batch = Array<{ type: "put"; key: string; value: string } | { type: "del"; key: string }>;

const dates = <T>(value: string, fields: string[]): T => {
  const o = JSON.parse(value) as Record<string, unknown>;
  for (const f of fields) o[f] = new Date(o[f] as string);
  return o as T;
};

/**
 * The user store on classic-level (embedded mode). Keys:
 * `user!<id>`, `email!<email>`, `profile!<userId>!<profileId>`,
 * `session!<id>`, `usersession!<userId>!<sessionId>`, `key!current`,
 * `outbox!<userId>`, `mylist!<profileId>!<contentId>`. Every write runs in one queue and lands as one atomic
 * batch, which gives the e-mail uniqueness, the profile limit and refresh
 * rotation the same guarantees the Cassandra adapter gets from lightweight
 * transactions.
 */
export class EmbeddedUserStore implements UserStore {
  readonly #db: ClassicLevel<string, string>;
  readonly #writes = new SerialQueue();
  readonly #myList: EmbeddedMyListStore;

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
    this.#myList = new EmbeddedMyListStore(db, this.#writes);
  }

  static async open(dir: string): Promise<EmbeddedUserStore> {
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir);
    await db.open();
    return new EmbeddedUserStore(db);
  }

  /** Every key and value, for tests that prove a member left no trace. */
  async dump(): Promise<Array<[string, string]>> {
    const rows: Array<[string, string]> = [];
    for await (const [k, v] of this.#db.iterator()) rows.push([k, v]);
    return rows;
  }

  async #get(key: string): Promise<string | undefined> {
    return (await this.#db.get(key)) ?? undefined;
  }

  async #values(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const v of this.#db.values({ gt: prefix, lt: `${prefix}\xff` })) out.push(v);
    return out;
  }

  async #keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.#db.keys({ gt: prefix, lt: `${prefix}\xff` })) out.push(k);
    return out;
  }

  createUser(user: UserRecord): Promise<boolean> {
    return this.#writes.run(async () => {
      if ((await this.#get(`email!${user.email}`)) !== undefined) return false;
      await this.#db.batch([
        { type: "put", key: `email!${user.email}`, value: user.userId },
        { type: "put", key: `user!${user.userId}`, value: JSON.stringify(user) },
      ]);
      return true;
    });
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const v = await this.#get(`user!${userId}`);
    return v === undefined ? undefined : dates<UserRecord>(v, ["createTime", "updateTime"]);
  }

  findUserIdByEmail(email: string): Promise<string | undefined> {
    return this.#get(`email!${email}`);
  }

  updateUser(user: UserRecord): Promise<void> {
    return this.#writes.run(async () => {
      if ((await this.#get(`user!${user.userId}`)) === undefined) return;
      await this.#db.put(`user!${user.userId}`, JSON.stringify(user));
    });
  }

  deleteUser(userId: string, deleteTime: Date): Promise<PendingDeletion | undefined> {
    return this.#writes.run(async () => {
      const user = await this.getUser(userId);
      if (user === undefined) return undefined;
      const profileKeys = await this.#keys(`profile!${userId}!`);
      const sessionKeys = await this.#keys(`usersession!${userId}!`);
      const pending: PendingDeletion = {
        userId,
        profileIds: profileKeys.map((k) => k.split("!")[2] as string),
        deleteTime,
      };
      const listKeys = (await Promise.all(pending.profileIds.map((id) => myListKeys(this.#db, id)))).flat();
      const batch: Batch = [
        { type: "del", key: `user!${userId}` },
        { type: "del", key: `email!${user.email}` },
        ...profileKeys.map((key) => ({ type: "del" as const, key })),
        ...listKeys.map((key) => ({ type: "del" as const, key })),
        ...sessionKeys.flatMap((key) => [
          { type: "del" as const, key },
          { type: "del" as const, key: `session!${key.split("!")[2]}` },
        ]),
        { type: "put", key: `outbox!${userId}`, value: JSON.stringify(pending) },
      ];
      await this.#db.batch(batch);
      return pending;
    });
  }

  async pendingDeletions(): Promise<PendingDeletion[]> {
    return (await this.#values("outbox!")).map((v) => dates<PendingDeletion>(v, ["deleteTime"]));
  }

  clearPendingDeletion(userId: string): Promise<void> {
    return this.#writes.run(() => this.#db.del(`outbox!${userId}`));
  }

  async listProfiles(userId: string): Promise<ProfileRecord[]> {
    const profiles = (await this.#values(`profile!${userId}!`)).map((v) =>
      dates<ProfileRecord>(v, ["createTime"]),
    );
    return profiles.sort(
      (a, b) => a.createTime.getTime() - b.createTime.getTime() || a.profileId.localeCompare(b.profileId),
    );
  }

  async getProfile(userId: string, profileId: string): Promise<ProfileRecord | undefined> {
    const v = await this.#get(`profile!${userId}!${profileId}`);
    return v === undefined ? undefined : dates<ProfileRecord>(v, ["createTime"]);
  }

  createProfile(
    profile: ProfileRecord,
    max: number,
    nameKey: (name: string) => string,
  ): Promise<CreateProfileOutcome> {
    return this.#writes.run(async () => {
      if ((await this.#get(`user!${profile.userId}`)) === undefined) return "limit-reached";
      const existing = await this.listProfiles(profile.userId);
      if (existing.some((p) => nameKey(p.name) === nameKey(profile.name))) return "name-taken";
      if (existing.length >= max) return "limit-reached";
      await this.#db.put(`profile!${profile.userId}!${profile.profileId}`, JSON.stringify(profile));
      return "created";
    });
  }

  updateProfile(profile: ProfileRecord, nameKey: (name: string) => string): Promise<UpdateProfileOutcome> {
    return this.#writes.run(async () => {
      const existing = await this.listProfiles(profile.userId);
      if (!existing.some((p) => p.profileId === profile.profileId)) return "not-found";
      const clash = existing.some(
        (p) => p.profileId !== profile.profileId && nameKey(p.name) === nameKey(profile.name),
      );
      if (clash) return "name-taken";
      await this.#db.put(`profile!${profile.userId}!${profile.profileId}`, JSON.stringify(profile));
      return "updated";
    });
  }

  deleteProfile(
    userId: string,
    profileId: string,
    deleteTime: Date,
  ): Promise<PendingProfileDeletion | undefined> {
    return this.#writes.run(async () => {
      const key = `profile!${userId}!${profileId}`;
      if ((await this.#get(key)) === undefined) return undefined;
      const pending: PendingProfileDeletion = { userId, profileId, deleteTime };
      const listKeys = await myListKeys(this.#db, profileId);
      await this.#db.batch([
        { type: "del", key },
        ...listKeys.map((k) => ({ type: "del" as const, key: k })),
        { type: "put", key: `profileoutbox!${profileId}`, value: JSON.stringify(pending) },
      ]);
      return pending;
    });
  }

  async pendingProfileDeletions(): Promise<PendingProfileDeletion[]> {
    return (await this.#values("profileoutbox!")).map((v) =>
      dates<PendingProfileDeletion>(v, ["deleteTime"]),
    );
  }

  clearPendingProfileDeletion(profileId: string): Promise<void> {
    return this.#writes.run(() => this.#db.del(`profileoutbox!${profileId}`));
  }

  addToMyList(profileId: string, entry: MyListEntry, max: number) {
    return this.#myList.addToMyList(profileId, entry, max);
  }

  removeFromMyList(profileId: string, contentId: string): Promise<void> {
    return this.#myList.removeFromMyList(profileId, contentId);
  }

  listMyList(profileId: string, limit: number, after?: MyListCursor): Promise<MyListEntry[]> {
    return this.#myList.listMyList(profileId, limit, after);
  }

  createSession(session: SessionRecord): Promise<void> {
    return this.#writes.run(() =>
      this.#db.batch([
        { type: "put", key: `session!${session.sessionId}`, value: JSON.stringify(session) },
        { type: "put", key: `usersession!${session.userId}!${session.sessionId}`, value: "" },
      ]),
    );
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const v = await this.#get(`session!${sessionId}`);
    if (v === undefined) return undefined;
    const session = dates<SessionRecord>(v, ["createTime", "expireTime"]);
    return session.expireTime.getTime() > Date.now() ? session : undefined;
  }

  rotateRefresh(
    sessionId: string,
    presentedHash: string,
    nextHash: string,
    expireTime: Date,
  ): Promise<RotateOutcome> {
    return this.#writes.run(async () => {
      const session = await this.getSession(sessionId);
      if (session === undefined) return "unknown";
      if (session.refreshHash === presentedHash) {
        const next: SessionRecord = {
          ...session,
          refreshHash: nextHash,
          retiredHashes: [...session.retiredHashes, presentedHash].slice(-RETIRED_KEEP),
          expireTime,
        };
        await this.#db.put(`session!${sessionId}`, JSON.stringify(next));
        return "rotated";
      }
      if (session.retiredHashes.includes(presentedHash)) {
        await this.#revoke(session);
        return "reused";
      }
      return "unknown";
    });
  }

  setSessionProfile(sessionId: string, profileId: string): Promise<void> {
    return this.#writes.run(async () => {
      const session = await this.getSession(sessionId);
      if (session === undefined) return;
      await this.#db.put(`session!${sessionId}`, JSON.stringify({ ...session, profileId }));
    });
  }

  #revoke(session: { sessionId: string; userId: string }): Promise<void> {
    return this.#db.batch([
      { type: "del", key: `session!${session.sessionId}` },
      { type: "del", key: `usersession!${session.userId}!${session.sessionId}` },
    ]);
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.#writes.run(async () => {
      const v = await this.#get(`session!${sessionId}`);
      if (v !== undefined) await this.#revoke(JSON.parse(v) as SessionRecord);
    });
  }

  revokeAllSessions(userId: string): Promise<void> {
    return this.#writes.run(async () => {
      const keys = await this.#keys(`usersession!${userId}!`);
      await this.#db.batch(
        keys.flatMap((key) => [
          { type: "del" as const, key },
          { type: "del" as const, key: `session!${key.split("!")[2]}` },
        ]),
      );
    });
  }

  signingKey(candidate: SigningKeyRecord): Promise<SigningKeyRecord> {
    return this.#writes.run(async () => {
      const v = await this.#get("key!current");
      if (v !== undefined) return dates<SigningKeyRecord>(v, ["createTime"]);
      await this.#db.put("key!current", JSON.stringify(candidate));
      return candidate;
    });
  }

  async close(): Promise<void> {
    await this.#writes.idle();
    await this.#db.close();
  }
}
