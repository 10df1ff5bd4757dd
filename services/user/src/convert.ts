import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Profile,
  ProfileSchema,
  type User,
  UserSchema,
} from "@marquee/sdk/marquee/user/v1/user_service_pb";
import type { ProfileRecord, UserRecord } from "./store.js";

/** Stored records to contract messages: the password and PIN hashes never leave. */
export function toUser(u: UserRecord): User {
  return create(UserSchema, {
    userId: u.userId,
    email: u.email,
    name: u.name,
    dateOfBirth: u.dateOfBirth,
    country: u.country,
    createTime: timestampFromDate(u.createTime),
    updateTime: timestampFromDate(u.updateTime),
  });
}

export function toProfile(p: ProfileRecord): Profile {
  return create(ProfileSchema, {
    profileId: p.profileId,
    userId: p.userId,
    name: p.name,
    avatar: p.avatar,
    kids: p.kids,
    maturityCap: p.maturityCap,
    pinProtected: p.pinHash !== "",
    createTime: timestampFromDate(p.createTime),
  });
}
