import { randomUUID } from "node:crypto";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import type { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { toUser } from "../convert.js";
import { fieldViolation, throttled } from "../errors.js";
import { publishUserDeleted } from "../outbox.js";
import { ownUser } from "../ownership.js";
import { hashPassword, verifyPassword } from "../passwords.js";
import { dateOfBirthProblem, normaliseEmail } from "../rules.js";
import type { MemberStore, SessionStore, UserRecord } from "../store.js";
import type { Throttle } from "../throttle.js";

type AccountRpc = "registerUser" | "getUser" | "updateUserProfile" | "changePassword" | "deleteUser";

export interface AccountDeps {
  store: MemberStore & Pick<SessionStore, "revokeAllSessions">;
  bus: EventBus;
  log: Logger;
  /** Wrong password confirmations per account (shared with sign-in failures). */
  accountThrottle: Throttle;
}

/** The member's account: registration, details, password and deletion. */
export function accountHandlers(deps: AccountDeps): Pick<ServiceImpl<typeof UserService>, AccountRpc> {
  const { store, bus, log } = deps;

  /** Checks a password the member types again (change, delete), throttled like sign-ins. */
  async function confirmPassword(user: UserRecord, password: string): Promise<void> {
    const key = user.userId;
    const wait = deps.accountThrottle.retryAfterMs(key);
    if (wait > 0) throw throttled("too many wrong passwords for this account", wait);
    if (!(await verifyPassword(user.passwordHash, password))) {
      deps.accountThrottle.fail(key);
      throw new ConnectError("the password is not correct", Code.PermissionDenied);
    }
  }

  return {
    async registerUser(req) {
      const problem = dateOfBirthProblem(req.dateOfBirth);
      if (problem !== undefined) {
        throw fieldViolation(
          "RegisterUserRequest",
          { name: "date_of_birth", number: 4 },
          "date_of_birth.valid_past_date",
          problem,
        );
      }
      const email = normaliseEmail(req.email);
      const taken = () =>
        new ConnectError("an account with this e-mail address already exists", Code.AlreadyExists);
      if ((await store.findUserIdByEmail(email)) !== undefined) throw taken();
      const now = new Date();
      const user: UserRecord = {
        userId: randomUUID(),
        email,
        name: req.name,
        dateOfBirth: req.dateOfBirth,
        country: req.country,
        passwordHash: await hashPassword(req.password),
        createTime: now,
        updateTime: now,
      };
      if (!(await store.createUser(user))) throw taken();
      return { user: toUser(user) };
    },

    async getUser(req, ctx) {
      return { user: toUser(await ownUser(store, ctx, req.userId)) };
    },

    async updateUserProfile(req, ctx) {
      const user = await ownUser(store, ctx, req.userId);
      const next: UserRecord = {
        ...user,
        name: req.name ?? user.name,
        country: req.country ?? user.country,
        updateTime: new Date(),
      };
      await store.updateUser(next);
      return { user: toUser(next) };
    },

    async changePassword(req, ctx) {
      const user = await ownUser(store, ctx, req.userId);
      await confirmPassword(user, req.currentPassword);
      await store.updateUser({
        ...user,
        passwordHash: await hashPassword(req.newPassword),
        updateTime: new Date(),
      });
      await store.revokeAllSessions(user.userId);
      return {};
    },

    async deleteUser(req, ctx) {
      const user = await ownUser(store, ctx, req.userId);
      await confirmPassword(user, req.password);
      const pending = await store.deleteUser(user.userId, new Date());
      if (pending === undefined) throw new ConnectError(`no member ${req.userId}`, Code.NotFound);
      // The deletion is durable and its event is in the store's outbox: if this publish
      // fails, the relay (see outbox.ts) publishes it later. The msgId makes repeats harmless.
      try {
        await publishUserDeleted(bus, pending);
        await store.clearPendingDeletion(user.userId);
      } catch (err) {
        log.warn({ err, userId: user.userId }, "user.deleted not published yet; the relay will retry");
      }
      return {};
    },
  };
}
