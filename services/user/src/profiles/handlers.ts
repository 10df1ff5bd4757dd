import { randomUUID } from "node:crypto";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Logger, requireSelf } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import type { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import type { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { toProfile } from "../convert.js";
import { fieldViolation } from "../errors.js";
import { publishProfileDeleted } from "../outbox.js";
import { ownProfile } from "../ownership.js";
import { hashPassword } from "../passwords.js";
import { MAX_PROFILES, profileCap, profileNameKey } from "../rules.js";
import type { ProfileRecord, ProfileStore } from "../store.js";

type ProfileRpc = "createProfile" | "listProfiles" | "updateProfile" | "deleteProfile";

/** The cap a profile gets, or InvalidArgument naming the request's maturity_cap field. */
function allowedCap(request: string, fieldNumber: number, kids: boolean, requested: MaturityRating) {
  const cap = profileCap(kids, requested);
  if (typeof cap === "string") {
    throw fieldViolation(request, { name: "maturity_cap", number: fieldNumber }, "profile.kids_cap", cap);
  }
  return cap;
}

export interface ProfileDeps {
  store: ProfileStore;
  bus: EventBus;
  log: Logger;
}

/** The profiles of an account: at most MAX_PROFILES, unique names, kids capped, optional PIN. */
export function profileHandlers(deps: ProfileDeps): Pick<ServiceImpl<typeof UserService>, ProfileRpc> {
  const { store, bus, log } = deps;
  return {
    async createProfile(req, ctx) {
      requireSelf(ctx, req.userId);
      const cap = allowedCap("CreateProfileRequest", 5, req.kids, req.maturityCap);
      const profile: ProfileRecord = {
        profileId: randomUUID(),
        userId: req.userId,
        name: req.name.trim(),
        avatar: req.avatar,
        kids: req.kids,
        maturityCap: cap,
        pinHash: req.pin === undefined ? "" : await hashPassword(req.pin),
        createTime: new Date(),
      };
      const outcome = await store.createProfile(profile, MAX_PROFILES, profileNameKey);
      if (outcome === "name-taken") {
        throw new ConnectError(
          `a profile named "${profile.name}" already exists in this account`,
          Code.AlreadyExists,
        );
      }
      if (outcome === "limit-reached") {
        throw new ConnectError(
          `an account has at most ${MAX_PROFILES} profiles; delete one first`,
          Code.FailedPrecondition,
        );
      }
      return { profile: toProfile(profile) };
    },

    async listProfiles(req, ctx) {
      requireSelf(ctx, req.userId);
      return { profiles: (await store.listProfiles(req.userId)).map(toProfile) };
    },

    async updateProfile(req, ctx) {
      const profile = await ownProfile(store, ctx, req.profileId);
      const cap = allowedCap("UpdateProfileRequest", 4, profile.kids, req.maturityCap ?? profile.maturityCap);
      const next: ProfileRecord = {
        ...profile,
        name: req.name?.trim() ?? profile.name,
        avatar: req.avatar ?? profile.avatar,
        maturityCap: cap,
        pinHash: req.pin === undefined ? profile.pinHash : req.pin === "" ? "" : await hashPassword(req.pin),
      };
      const outcome = await store.updateProfile(next, profileNameKey);
      if (outcome === "not-found")
        throw new ConnectError(`no profile ${req.profileId} in your account`, Code.NotFound);
      if (outcome === "name-taken") {
        throw new ConnectError(
          `a profile named "${next.name}" already exists in this account`,
          Code.AlreadyExists,
        );
      }
      return { profile: toProfile(next) };
    },

    async deleteProfile(req, ctx) {
      const profile = await ownProfile(store, ctx, req.profileId);
      const pending = await store.deleteProfile(profile.userId, profile.profileId, new Date());
      if (pending === undefined) {
        throw new ConnectError(`no profile ${req.profileId} in your account`, Code.NotFound);
      }
      // As for deleteUser: the event waits in the outbox until it is known to be published.
      try {
        await publishProfileDeleted(bus, pending);
        await store.clearPendingProfileDeletion(pending.profileId);
      } catch (err) {
        log.warn(
          { err, profileId: pending.profileId },
          "profile.deleted not published yet; the relay will retry",
        );
      }
      return {};
    },
  };
}
