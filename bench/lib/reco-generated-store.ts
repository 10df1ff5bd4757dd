import type { CatalogTitle, Interaction } from "@marquee/recommendation/model/types";
import { blankInteraction, type TasteStore } from "@marquee/recommendation/store";

/**
 * A TasteStore whose interactions are generated on every read (nothing of
 * them is held), with ratings written later kept in memory and merged into
 * their profile: lets the benchmark build a 20M-interaction model without
 * first writing 20M rows to a database.
 */
export function generatedStore(titles: CatalogTitle[], profiles: () => Iterable<Interaction[]>): TasteStore {
  const written = new Map<string, Map<string, Interaction>>();
  const unsupported = () => Promise.reject(new Error("not supported by the generated store"));
  return {
    async recordRating(f) {
      const mine = written.get(f.profileId) ?? written.set(f.profileId, new Map()).get(f.profileId);
      const i = mine?.get(f.contentId) ?? blankInteraction(f.profileId, f.contentId);
      if (f.time >= i.ratingTime) mine?.set(f.contentId, { ...i, rating: f.value, ratingTime: f.time });
    },
    recordViewing: unsupported,
    getInteraction: async (p, c) => written.get(p)?.get(c),
    profileInteractions: unsupported,
    async *allInteractions() {
      const rest = new Map(written);
      for (const profile of profiles()) {
        const mine = rest.get(profile[0]?.profileId ?? "");
        if (mine === undefined) {
          yield* profile;
          continue;
        }
        rest.delete(profile[0]?.profileId ?? "");
        for (const i of profile) if (!mine.has(i.contentId)) yield i;
        yield* mine.values();
      }
      for (const mine of rest.values()) yield* mine.values();
    },
    importInteractions: unsupported,
    eraseProfile: unsupported,
    putTitle: unsupported,
    setVisibility: unsupported,
    getTitle: async (id) => titles.find((t) => t.contentId === id),
    listTitles: async () => titles,
    putGenreNames: unsupported,
    genreNames: async () => new Map(),
    close: async () => {},
  };
}
