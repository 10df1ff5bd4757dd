import { ClassicLevel } from "classic-level";
import type { CatalogTitle, Interaction } from "./model/types.js";
import {
  blankInteraction,
  blankTitle,
  type RatingFact,
  type TasteStore,
  type TitleFacts,
  type ViewingFact,
} from "./store.js";

/**
 * The TasteStore of embedded mode on classic-level. Keys:
 * `i!<profile>!<content>` interactions, `e!<profile>` erasure time,
 * `t!<content>` titles, `g!<genre>` genre names. Writes are serialised, so a
 * read-modify-write never interleaves with another.
 */
export async function openEmbeddedStore(dir: string): Promise<TasteStore> {
  const db = new ClassicLevel<string, string>(dir);
  await db.open();
  let writes: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = writes.then(work);
    writes = run.catch(() => {});
    return run;
  };
  const getJson = async <T>(key: string): Promise<T | undefined> => {
    const v = await db.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  };
  const interactionKey = (p: string, c: string) => `i!${p}!${c}`;

  // Interaction writes are group-committed: whatever queued up while the
  // previous write ran is read with one getMany, merged in order in memory
  // and written with one batch.
  interface Update {
    profileId: string;
    contentId: string;
    time: number;
    change: (i: Interaction) => boolean;
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  let queued: Update[] = [];
  const flush = async () => {
    const ops = queued;
    queued = [];
    try {
      const keys = [
        ...new Set(ops.flatMap((o) => [`e!${o.profileId}`, interactionKey(o.profileId, o.contentId)])),
      ];
      const values = await db.getMany(keys);
      const current = new Map(keys.map((k, n) => [k, values[n]]));
      const dirty = new Map<string, Interaction>();
      for (const o of ops) {
        if (o.time <= Number(current.get(`e!${o.profileId}`) ?? "0")) continue;
        const key = interactionKey(o.profileId, o.contentId);
        const stored = current.get(key);
        const record =
          dirty.get(key) ??
          (stored === undefined
            ? blankInteraction(o.profileId, o.contentId)
            : (JSON.parse(stored) as Interaction));
        if (o.change(record)) dirty.set(key, record);
      }
      await db.batch(
        [...dirty].map(([key, value]) => ({ type: "put" as const, key, value: JSON.stringify(value) })),
      );
      for (const o of ops) o.resolve();
    } catch (err) {
      for (const o of ops) o.reject(err);
    }
  };
  const update = (profileId: string, contentId: string, time: number, change: (i: Interaction) => boolean) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ profileId, contentId, time, change, resolve, reject });
      if (queued.length === 1) void serial(flush);
    });

  const titleOf = (contentId: string) => getJson<CatalogTitle>(`t!${contentId}`);

  return {
    recordRating: (f: RatingFact) =>
      update(f.profileId, f.contentId, f.time, (i) => {
        if (f.time < i.ratingTime) return false;
        i.rating = f.value;
        i.ratingTime = f.time;
        return true;
      }),

    recordViewing: (f: ViewingFact) =>
      update(f.profileId, f.contentId, f.time, (i) => {
        const completed = i.completed || f.completed;
        if (f.time < i.viewTime) {
          if (completed === i.completed) return false;
          i.completed = true;
          return true;
        }
        i.viewFraction = f.fraction;
        i.abandoned = f.abandoned;
        i.viewTime = f.time;
        i.completed = completed;
        return true;
      }),

    getInteraction: (profileId, contentId) => getJson<Interaction>(interactionKey(profileId, contentId)),

    async profileInteractions(profileId) {
      const rows = await db.values({ gt: `i!${profileId}!`, lt: `i!${profileId}!~` }).all();
      return rows.map((v) => JSON.parse(v) as Interaction);
    },

    async *allInteractions() {
      for await (const v of db.values({ gt: "i!", lt: "i!~" })) yield JSON.parse(v) as Interaction;
    },

    importInteractions: (interactions) =>
      serial(() =>
        db.batch(
          interactions.map((i) => ({
            type: "put" as const,
            key: interactionKey(i.profileId, i.contentId),
            value: JSON.stringify(i),
          })),
        ),
      ),

    eraseProfile: (profileId) =>
      serial(async () => {
        const keys = await db.keys({ gt: `i!${profileId}!`, lt: `i!${profileId}!~` }).all();
        await db.batch([
          ...keys.map((key) => ({ type: "del" as const, key })),
          { type: "put" as const, key: `e!${profileId}`, value: String(Date.now()) },
        ]);
      }),

    putTitle: (facts: TitleFacts) =>
      serial(async () => {
        const current = (await titleOf(facts.contentId)) ?? blankTitle(facts.contentId);
        const next: CatalogTitle = {
          ...facts,
          published: current.published,
          visibilityTime: current.visibilityTime,
        };
        await db.put(`t!${facts.contentId}`, JSON.stringify(next));
      }),

    setVisibility: (contentId, published, time) =>
      serial(async () => {
        const current = (await titleOf(contentId)) ?? blankTitle(contentId);
        if (time < current.visibilityTime) return;
        await db.put(`t!${contentId}`, JSON.stringify({ ...current, published, visibilityTime: time }));
      }),

    getTitle: titleOf,

    async listTitles() {
      return (await db.values({ gt: "t!", lt: "t!~" }).all()).map((v) => JSON.parse(v) as CatalogTitle);
    },

    putGenreNames: (names) =>
      serial(() =>
        db.batch([...names].map(([id, name]) => ({ type: "put" as const, key: `g!${id}`, value: name }))),
      ),

    async genreNames() {
      const rows = await db.iterator({ gt: "g!", lt: "g!~" }).all();
      return new Map(rows.map(([k, v]) => [k.slice(2), v]));
    },

    async close() {
      await writes;
      await db.close();
    },
  };
}
