import type { TestFn } from "ava";
import { generateCatalog } from "../src/catalog/generate.js";
import { NO_CAP } from "../src/domain/maturity.js";
import type { SearchHit, SearchIndex, SearchQuery } from "../src/search.js";

/** One query of the relevance suite and what its results must satisfy. */
export interface RelevanceCase {
  name: string;
  query: Partial<SearchQuery> & { text: string };
  /** Exact title of the first result. */
  top?: string;
  /** Every one of the first n results satisfies the predicate. */
  firstN?: { n: number; each: (hit: SearchHit) => boolean; what: string };
  /** Every result satisfies the predicate (filters). */
  all?: { each: (hit: SearchHit) => boolean; what: string };
  /** No result at all. */
  none?: boolean;
  /** No result is acceptable too (a filter may leave nothing). */
  mayBeEmpty?: boolean;
}

const hasCast = (name: string) => (h: SearchHit) => h.content.cast.some((c) => c.name === name);
const directedBy = (name: string) => (h: SearchHit) =>
  h.content.cast.some((c) => c.name === name && c.role === "Director");
const titled =
  (...titles: string[]) =>
  (h: SearchHit) =>
    !titles.includes(h.content.title);
const year = (h: SearchHit) => Number(h.content.releaseDate.slice(0, 4));

export const RELEVANCE_CASES: RelevanceCase[] = [
  { name: "typo: godfater", query: { text: "godfater" }, top: "The Godfather" },
  { name: "exact title", query: { text: "the godfather" }, top: "The Godfather" },
  { name: "sequel by its words", query: { text: "godfather part ii" }, top: "The Godfather Part II" },
  { name: "accents folded: amelie", query: { text: "amelie" }, top: "Amélie" },
  { name: "accented query", query: { text: "Amélie" }, top: "Amélie" },
  { name: "upper case", query: { text: "AMELIE" }, top: "Amélie" },
  {
    name: "as you type: star w",
    query: { text: "star w" },
    firstN: { n: 2, each: (h) => h.content.title.startsWith("Star Wars"), what: "a Star Wars film" },
  },
  {
    name: "as you type: star wars empire str",
    query: { text: "star wars empire str" },
    top: "Star Wars: The Empire Strikes Back",
  },
  { name: "as you type: star tr", query: { text: "star tr" }, top: "Star Trek" },
  { name: "as you type: stard", query: { text: "stard" }, top: "Stardust" },
  { name: "as you type: breakin", query: { text: "breakin" }, top: "Breaking Bad" },
  { name: "as you type: strang", query: { text: "strang" }, top: "Stranger Things" },
  { name: "as you type: shawsh", query: { text: "shawsh" }, top: "The Shawshank Redemption" },
  {
    name: "cast: tom hanks",
    query: { text: "tom hanks" },
    firstN: { n: 4, each: hasCast("Tom Hanks"), what: "a Tom Hanks film" },
  },
  {
    name: "cast surname: hanks",
    query: { text: "hanks" },
    firstN: { n: 3, each: hasCast("Tom Hanks"), what: "a Tom Hanks film" },
  },
  { name: "cast: keanu", query: { text: "keanu" }, top: "The Matrix" },
  { name: "cast: attenborough", query: { text: "attenborough" }, top: "Planet Earth" },
  { name: "cast with accent folded: sergi lopez", query: { text: "sergi lopez" }, top: "Pan's Labyrinth" },
  {
    name: "cast: leonardo dicaprio",
    query: { text: "leonardo dicaprio" },
    firstN: { n: 2, each: hasCast("Leonardo DiCaprio"), what: "a DiCaprio film" },
  },
  { name: "typo: matrx", query: { text: "matrx" }, top: "The Matrix" },
  {
    name: "two typos: shawshenk redemtion",
    query: { text: "shawshenk redemtion" },
    top: "The Shawshank Redemption",
  },
  { name: "typo: ratatouile", query: { text: "ratatouile" }, top: "Ratatouille" },
  { name: "accents folded: les miserables", query: { text: "les miserables" }, top: "Les Misérables" },
  { name: "accents folded: pokemon", query: { text: "pokemon" }, top: "Pokémon Detective Pikachu" },
  {
    name: "accents folded: leon professional",
    query: { text: "leon professional" },
    top: "Léon: The Professional",
  },
  { name: "short exact title: alien", query: { text: "alien" }, top: "Alien" },
  { name: "short exact title: frozen", query: { text: "frozen" }, top: "Frozen" },
  { name: "multi-word title: la la land", query: { text: "la la land" }, top: "La La Land" },
  { name: "title words and synopsis: jaws shark", query: { text: "jaws shark" }, top: "Jaws" },
  { name: "punctuated title: mad max", query: { text: "mad max" }, top: "Mad Max: Fury Road" },
  { name: "synopsis words: clownfish", query: { text: "clownfish" }, top: "Finding Nemo" },
  { name: "synopsis words: chemistry teacher", query: { text: "chemistry teacher" }, top: "Breaking Bad" },
  {
    name: "place with accent folded: montreal",
    query: { text: "montreal" },
    firstN: {
      n: 3,
      each: (h) => `${h.content.title} ${h.content.synopsis}`.includes("Montréal"),
      what: "a title set in Montréal",
    },
  },
  {
    name: "filter by genre: tom hanks in war",
    query: { text: "tom hanks", genreIds: ["war"] },
    top: "Saving Private Ryan",
    all: { each: (h) => h.content.genreIds.includes("war"), what: "a war title" },
  },
  {
    name: "filter by genre: spirited in anime",
    query: { text: "spirited", genreIds: ["anime"] },
    top: "Spirited Away",
    all: { each: (h) => h.content.genreIds.includes("anime"), what: "an anime title" },
  },
  {
    name: "filter by year range: leonardo 2005-2015",
    query: { text: "leonardo dicaprio", yearFrom: 2005, yearTo: 2015 },
    top: "Inception",
    all: { each: (h) => year(h) >= 2005 && year(h) <= 2015, what: "released 2005-2015" },
  },
  {
    name: "filter by year up to: tom hanks until 1995",
    query: { text: "tom hanks", yearTo: 1995 },
    firstN: { n: 2, each: hasCast("Tom Hanks"), what: "a Tom Hanks film up to 1995" },
    all: { each: (h) => year(h) <= 1995, what: "released by 1995" },
  },
  {
    name: "maturity cap ALL: tom hanks",
    query: { text: "tom hanks", maxMaturity: 1 },
    top: "Toy Story",
    all: { each: (h) => h.content.maturityRating <= 1, what: "rated ALL" },
  },
  {
    name: "maturity cap ALL hides Star Wars (KIDS)",
    query: { text: "star wars", maxMaturity: 1 },
    all: { each: (h) => !h.content.title.startsWith("Star Wars"), what: "not Star Wars" },
  },
  {
    name: "maturity cap TEEN hides The Godfather (ADULT)",
    query: { text: "godfather", maxMaturity: 3 },
    all: {
      each: (h) => h.content.maturityRating <= 3 && !h.content.title.includes("Godfather"),
      what: "TEEN or below",
    },
    mayBeEmpty: true,
  },
  { name: "crew: nolan", query: { text: "nolan" }, top: "Inception" },
  { name: "crew: christopher nolan", query: { text: "christopher nolan" }, top: "Inception" },
  {
    name: "crew: miyazaki",
    query: { text: "miyazaki" },
    firstN: { n: 2, each: directedBy("Hayao Miyazaki"), what: "a Miyazaki film" },
  },
  {
    name: "crew: steven spielberg",
    query: { text: "steven spielberg" },
    firstN: { n: 3, each: directedBy("Steven Spielberg"), what: "a Spielberg film" },
  },
  {
    name: "crew: a writer, mario puzo",
    query: { text: "mario puzo" },
    firstN: { n: 2, each: (h) => h.content.title.startsWith("The Godfather"), what: "a Godfather film" },
  },
  { name: "crew: a series creator, vince gilligan", query: { text: "vince gilligan" }, top: "Breaking Bad" },
  {
    name: "crew with a typo: spielburg",
    query: { text: "spielburg" },
    firstN: { n: 3, each: directedBy("Steven Spielberg"), what: "a Spielberg film" },
  },
  { name: "crew with a typo: tarantno", query: { text: "tarantno" }, top: "Pulp Fiction" },
  { name: "typo: incepton", query: { text: "incepton" }, top: "Inception" },
  { name: "typo: gladiater", query: { text: "gladiater" }, top: "Gladiator" },
  { name: "typo: titanik", query: { text: "titanik" }, top: "Titanic" },
  { name: "typo in a name: keanu reevs", query: { text: "keanu reevs" }, top: "The Matrix" },
  {
    name: "a tight tail: leon is not lion, nor Leonardo",
    query: { text: "leon" },
    top: "Léon: The Professional",
    all: {
      each: titled("The Lion King", "Titanic", "Inception"),
      what: "not The Lion King, Titanic or Inception",
    },
  },
  { name: "nothing matches gibberish", query: { text: "qxjvzkw" }, none: true },
];

const defaults: Omit<SearchQuery, "text"> = {
  genreIds: [],
  yearFrom: 0,
  yearTo: 0,
  maxMaturity: NO_CAP,
  offset: 0,
  limit: 10,
};

/**
 * The relevance suite: the seeded catalog indexed, then every case checked.
 * Both adapters run it (test/search-embedded.test.ts and
 * test/integration/search-opensearch.test.ts), so they agree on the product's behaviour.
 */
export function relevanceSuite(test: TestFn, open: () => Promise<SearchIndex>): void {
  let index: Promise<SearchIndex> | undefined;
  const seeded = () => {
    index ??= (async () => {
      const i = await open();
      async function* all() {
        yield* generateCatalog();
      }
      await i.rebuild(all());
      await i.refresh();
      return i;
    })();
    return index;
  };

  for (const c of RELEVANCE_CASES) {
    test(`relevance: ${c.name}`, async (t) => {
      const i = await seeded();
      const { hits } = await i.search({ ...defaults, ...c.query });
      const titles = hits.map((h) => h.content.title);
      if (c.none) t.deepEqual(titles, [], "no result");
      else if (!c.mayBeEmpty) t.true(hits.length > 0, "some result");
      if (c.top !== undefined) t.is(titles[0], c.top, `top of ${JSON.stringify(titles.slice(0, 5))}`);
      if (c.firstN) {
        const first = hits.slice(0, c.firstN.n);
        t.is(first.length, c.firstN.n, `at least ${c.firstN.n} results`);
        t.true(
          first.every(c.firstN.each),
          `each of the first ${c.firstN.n} is ${c.firstN.what}: ${JSON.stringify(titles.slice(0, 5))}`,
        );
      }
      if (c.all) t.true(hits.every(c.all.each), `every result is ${c.all.what}: ${JSON.stringify(titles)}`);
    });
  }

  test("relevance: results are ranked best first and pages do not overlap", async (t) => {
    const i = await seeded();
    const first = await i.search({ ...defaults, text: "the", limit: 20 });
    const second = await i.search({ ...defaults, text: "the", offset: 20, limit: 20 });
    t.true(first.total > 40);
    const scores = first.hits.map((h) => h.score);
    t.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    const ids = new Set(first.hits.map((h) => h.content.contentId));
    t.false(second.hits.some((h) => ids.has(h.content.contentId)));
  });
}
