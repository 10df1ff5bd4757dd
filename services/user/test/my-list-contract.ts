import { randomUUID } from "node:crypto";
import type { TestFn } from "ava";
import { profileNameKey } from "../src/rules.js";
import { member, profile, type UserStoreFactory } from "./store-contract.js";

const at = (ms: number) => new Date(Math.floor(ms));

const entry = (offsetMs: number, contentId = randomUUID()) => ({
  contentId,
  addTime: at(1_700_000_000_000 + offsetMs),
});

/** The My List behaviour every UserStore adapter must have; each adapter's test file calls this. */
export function myListStoreContract(test: TestFn, open: UserStoreFactory): void {
  test("my list: newest first, paged by cursor, one list per profile", async (t) => {
    const { store } = await open();
    const [p, other] = [randomUUID(), randomUUID()];
    const entries = [entry(0), entry(1_000), entry(2_000), entry(2_000), entry(3_000)];
    for (const e of entries) t.is((await store.addToMyList(p, e, 500)).outcome, "added");
    await store.addToMyList(other, entry(5_000), 500);
    const all = await store.listMyList(p, 10);
    t.deepEqual(
      all.map((e) => e.addTime.getTime()),
      [3_000, 2_000, 2_000, 1_000, 0].map((d) => 1_700_000_000_000 + d),
    );
    const ids = (list: { contentId: string }[]) => list.map((e) => e.contentId).sort();
    t.deepEqual(ids(all), ids(entries));
    const first = await store.listMyList(p, 2);
    const second = await store.listMyList(p, 2, first.at(-1));
    const third = await store.listMyList(p, 2, second.at(-1));
    t.deepEqual([...first, ...second, ...third], all, "pages join up with no title twice or missed");
    t.is(third.length, 1);
    t.deepEqual(await store.listMyList(p, 2, third.at(-1)), []);
    t.deepEqual(await store.listMyList(randomUUID(), 10), []);
  });

  test("my list: adding twice keeps the first time; removing is idempotent; the cap holds", async (t) => {
    const { store } = await open();
    const p = randomUUID();
    const first = entry(0);
    t.deepEqual(await store.addToMyList(p, first, 3), { outcome: "added", entry: first });
    const again = await store.addToMyList(p, { ...first, addTime: at(Date.now()) }, 3);
    t.is(again.outcome, "present");
    t.is(again.outcome !== "full" && again.entry.addTime.getTime(), first.addTime.getTime());
    await store.addToMyList(p, entry(1), 3);
    await store.addToMyList(p, entry(2), 3);
    t.deepEqual(await store.addToMyList(p, entry(3), 3), { outcome: "full" });
    t.is((await store.addToMyList(p, first, 3)).outcome, "present", "a title already there is no new one");
    await store.removeFromMyList(p, first.contentId);
    await store.removeFromMyList(p, first.contentId);
    await store.removeFromMyList(p, randomUUID());
    t.is((await store.listMyList(p, 10)).length, 2);
    t.is((await store.addToMyList(p, entry(4), 3)).outcome, "added", "room again after a removal");
  });

  test("my list: erased with its profile and with the member, a bystander's kept", async (t) => {
    const { store, rows } = await open();
    const m = member();
    await store.createUser(m);
    const [a, b] = [profile(m.userId, "A"), profile(m.userId, "B")];
    await store.createProfile(a, 5, profileNameKey);
    await store.createProfile(b, 5, profileNameKey);
    const bystander = randomUUID();
    const [onA, onB, kept] = [entry(0), entry(1), entry(2)];
    await store.addToMyList(a.profileId, onA, 500);
    await store.addToMyList(b.profileId, onB, 500);
    await store.addToMyList(bystander, kept, 500);
    await store.deleteProfile(m.userId, a.profileId, at(Date.now()));
    t.deepEqual(await store.listMyList(a.profileId, 10), []);
    t.is((await store.listMyList(b.profileId, 10)).length, 1);
    await store.deleteUser(m.userId, at(Date.now()));
    t.deepEqual(await store.listMyList(b.profileId, 10), []);
    const traces = (await rows()).filter((r) => r.includes(onA.contentId) || r.includes(onB.contentId));
    t.deepEqual(traces, [], "no list row of the member anywhere");
    t.deepEqual(
      (await store.listMyList(bystander, 10)).map((e) => e.contentId),
      [kept.contentId],
    );
  });
}
