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
  const erasedAt = async (profileId: string) => Number((await db.get(`e!${profileId}`)) ?? "0");
  const interactionKey = (p: string, c: string) => `i!${p}!${c}`;

  const update = (profileId: string, contentId: string, time: number, change: (i: Interaction) => boolean) =>
    serial(async () => {
      if (time <= (await erasedAt(profileId))) return;
      const key = interactionKey(profileId, contentId);
      const current = (await getJson<Interaction>(key)) ?? blankInteraction(profileId, contentId);
      if (change(current)) await db.put(key, JSON.stringify(current));
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
