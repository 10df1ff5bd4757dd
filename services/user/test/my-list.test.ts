import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { callerOf, type TitleCatalog } from "@marquee/kit";
import { MaturityRating } from "@marquee/sdk/marquee/common/v1/maturity_pb";
import test from "ava";
import { EmbeddedUserStore } from "../src/store-embedded.js";
import { as, newMember, startTestUserService } from "./fixtures.js";

/** Titles the catalog knows; `adultOnly` ones are hidden from callers capped below ADULT. */
const known = new Set<string>();
const adultOnly = new Set<string>();
const catalog: TitleCatalog = {
  async visible(contentId, ctx) {
    const cap = callerOf(ctx).maturityCap ?? 0;
    const capped = cap !== 0 && cap < MaturityRating.ADULT;
    return known.has(contentId) && !(capped && adultOnly.has(contentId));
  },
};
const title = () => {
  const id = randomUUID();
  known.add(id);
  return id;
};

type Svc = Awaited<ReturnType<typeof startTestUserService>>;
let svc: Svc;
test.before(async () => {
  svc = await startTestUserService({}, catalog);
});
test.after.always(() => svc?.close());

const codeOf = (p: Promise<unknown>): Promise<Code | "ok"> =>
  p.then(
    () => "ok" as const,
    (e: unknown) => ConnectError.from(e).code,
  );

/** A member with a profile (kids when asked), and call options as that profile. */
async function withProfile(kids = false) {
  const { user } = await svc.client.registerUser(newMember());
  const userId = user?.userId as string;
  const me = as({ kind: "member", userId });
  const created = await svc.client.createProfile({ userId, name: kids ? "Kid" : "Main", kids }, me);
  const profile = created.profile;
  if (!profile) throw new Error("no profile");
  const asProfile = as({
    kind: "member",
    userId,
    profileId: profile.profileId,
    maturityCap: profile.maturityCap,
  });
  return { userId, me, profileId: profile.profileId, asProfile };
}

const listIds = async (profileId: string, opts: ReturnType<typeof as>) =>
  (await svc.client.listMyList({ profileId }, opts)).items.map((i) => i.contentId);

test("add and remove are idempotent; the list is newest first and pages", async (t) => {
  const { profileId, asProfile } = await withProfile();
  const [a, b, c] = [title(), title(), title()];
  const first = await svc.client.addToMyList({ profileId, contentId: a }, asProfile);
  await svc.client.addToMyList({ profileId, contentId: b }, asProfile);
  await svc.client.addToMyList({ profileId, contentId: c }, asProfile);
  const again = await svc.client.addToMyList({ profileId, contentId: a }, asProfile);
  t.deepEqual(again.item?.addTime, first.item?.addTime, "adding again keeps the first time");
  t.deepEqual(await listIds(profileId, asProfile), [c, b, a]);
  const page1 = await svc.client.listMyList({ profileId, pageSize: 2 }, asProfile);
  t.deepEqual(
    page1.items.map((i) => i.contentId),
    [c, b],
  );
  const page2 = await svc.client.listMyList(
    { profileId, pageSize: 2, pageToken: page1.nextPageToken },
    asProfile,
  );
  t.deepEqual(
    page2.items.map((i) => i.contentId),
    [a],
  );
  t.is(page2.nextPageToken, "");
  await svc.client.removeFromMyList({ profileId, contentId: b }, asProfile);
  await svc.client.removeFromMyList({ profileId, contentId: b }, asProfile);
  t.deepEqual(await listIds(profileId, asProfile), [c, a]);
  t.is(
    await codeOf(svc.client.listMyList({ profileId, pageToken: "not-a-token" }, asProfile)),
    Code.InvalidArgument,
  );
});

test("only the caller's own, selected profile: others are not found or refused", async (t) => {
  const mine = await withProfile();
  const theirs = await withProfile();
  const contentId = title();
  await svc.client.addToMyList({ profileId: theirs.profileId, contentId }, theirs.asProfile);
  const asMeOnTheirs = as({ kind: "member", userId: mine.userId, profileId: theirs.profileId });
  for (const call of [
    svc.client.addToMyList({ profileId: theirs.profileId, contentId }, mine.asProfile),
    svc.client.removeFromMyList({ profileId: theirs.profileId, contentId }, mine.asProfile),
    svc.client.listMyList({ profileId: theirs.profileId }, mine.asProfile),
    svc.client.listMyList({ profileId: theirs.profileId }, asMeOnTheirs),
  ]) {
    t.is(await codeOf(call), Code.NotFound, "another account's profile is not found");
  }
  // The member's own second profile, while the session has selected the first.
  const second = await svc.client.createProfile({ userId: mine.userId, name: "Second" }, mine.me);
  const other = second.profile?.profileId as string;
  t.is(
    await codeOf(svc.client.addToMyList({ profileId: other, contentId }, mine.asProfile)),
    Code.PermissionDenied,
  );
  t.is(await codeOf(svc.client.listMyList({ profileId: other }, mine.me)), Code.PermissionDenied);
  t.is(await codeOf(svc.client.listMyList({ profileId: mine.profileId })), Code.Unauthenticated);
  t.deepEqual(await listIds(theirs.profileId, theirs.asProfile), [contentId], "theirs untouched");
});

test("an unknown or malformed title is refused and nothing is written", async (t) => {
  const { profileId, asProfile } = await withProfile();
  const err = await t.throwsAsync(svc.client.addToMyList({ profileId, contentId: randomUUID() }, asProfile));
  t.is(ConnectError.from(err).code, Code.NotFound);
  t.regex(ConnectError.from(err).rawMessage, /no title .* this profile can watch/);
  t.is(
    await codeOf(svc.client.addToMyList({ profileId, contentId: "inception" }, asProfile)),
    Code.InvalidArgument,
  );
  t.is(
    await codeOf(svc.client.addToMyList({ profileId: "p1", contentId: title() }, asProfile)),
    Code.InvalidArgument,
  );
  t.deepEqual(await listIds(profileId, asProfile), []);
});

test("a kids profile cannot add an adult title, and a title it may no longer see is left out", async (t) => {
  const kid = await withProfile(true);
  const [cartoon, thriller] = [title(), title()];
  adultOnly.add(thriller);
  t.is(
    await codeOf(svc.client.addToMyList({ profileId: kid.profileId, contentId: thriller }, kid.asProfile)),
    Code.NotFound,
  );
  await svc.client.addToMyList({ profileId: kid.profileId, contentId: cartoon }, kid.asProfile);
  t.deepEqual(await listIds(kid.profileId, kid.asProfile), [cartoon]);
  // The title is re-rated: the kid's list stops showing it.
  adultOnly.add(cartoon);
  t.deepEqual(await listIds(kid.profileId, kid.asProfile), []);
});

test("at most 500 titles: the next one is ResourceExhausted with a clear message, a present one still fine", async (t) => {
  t.timeout(60_000);
  const { profileId, asProfile } = await withProfile();
  const ids = Array.from({ length: 500 }, () => title());
  for (const contentId of ids) await svc.client.addToMyList({ profileId, contentId }, asProfile);
  const err = await t.throwsAsync(svc.client.addToMyList({ profileId, contentId: title() }, asProfile));
  t.is(ConnectError.from(err).code, Code.ResourceExhausted);
  t.regex(ConnectError.from(err).rawMessage, /at most 500 titles; remove one/);
  t.is(await codeOf(svc.client.addToMyList({ profileId, contentId: ids[0] as string }, asProfile)), "ok");
  const page = await svc.client.listMyList({ profileId, pageSize: 100 }, asProfile);
  t.is(page.items.length, 100);
  t.not(page.nextPageToken, "");
});

test("deleting the profile, or the account, erases its list", async (t) => {
  const own = await startTestUserService({}, catalog);
  let serving = true;
  t.teardown(async () => {
    if (serving) await own.close();
    else rmSync(own.dataDir, { recursive: true, force: true });
  });
  const { user } = await own.client.registerUser(newMember());
  const userId = user?.userId as string;
  const me = as({ kind: "member", userId });
  const profiles = await Promise.all(
    ["One", "Two"].map(
      async (name) => (await own.client.createProfile({ userId, name }, me)).profile?.profileId as string,
    ),
  );
  const added: string[] = [];
  for (const profileId of profiles) {
    const contentId = title();
    added.push(contentId);
    await own.client.addToMyList({ profileId, contentId }, as({ kind: "member", userId, profileId }));
  }
  await own.client.deleteProfile({ profileId: profiles[0] as string }, me);
  t.is(
    await codeOf(
      own.client.listMyList(
        { profileId: profiles[0] as string },
        as({ kind: "member", userId, profileId: profiles[0] }),
      ),
    ),
    Code.NotFound,
  );
  await own.client.deleteUser({ userId, password: newMember().password }, me);
  await own.server.close();
  serving = false;
  const store = await EmbeddedUserStore.open(path.join(own.dataDir, "user"));
  const rows = await store.dump();
  await store.close();
  const left = rows.filter(([k, v]) => added.some((id) => k.includes(id) || v.includes(id)));
  t.deepEqual(left, [], "no list entry of either profile is stored");
});
