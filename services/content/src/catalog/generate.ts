import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { pick, seededRandom } from "@marquee/kit";
import {
  type Content,
  ContentSchema,
  ContentType,
  PublishState,
} from "@marquee/sdk/marquee/content/v1/content_pb";
import { crewOf } from "./crew.js";
import { FIXTURE_TITLES, type FixtureTitle } from "./fixtures.js";
import { uuidV5 } from "./uuid.js";

/**
 * A realistic synthetic catalog, the same every time for a given size:
 * well-known fixture titles plus generated ones whose years lean recent,
 * genres follow a product-like mix, maturity follows genre, popularity is
 * long-tailed (few hits, many niche titles), and series have seasons of
 * episodes. Ids are UUIDv5 of "title|year", so re-seeding rewrites the same rows.
 */
export const DEFAULT_CATALOG_SIZE = 2_400;

/**
 * The generator's version, raised whenever its output changes (2: ratings
 * follow genres). An embedded store seeded by an earlier version is seeded
 * again at start, and the rows' update time moves on with it, so search
 * (versioned by update time) and the visibility events (ids carry it) take
 * the new rows instead of dropping them as old or duplicate.
 */
export const CATALOG_VERSION = 2;

const ADJECTIVES = [
  "Silent",
  "Crimson",
  "Hidden",
  "Broken",
  "Golden",
  "Last",
  "Burning",
  "Frozen",
  "Wild",
  "Distant",
  "Hollow",
  "Quiet",
  "Electric",
  "Scarlet",
  "Forgotten",
  "Endless",
  "Restless",
  "Sleeping",
  "Velvet",
  "Iron",
  "Paper",
  "Glass",
  "Midnight",
  "Northern",
  "Lonely",
  "Bitter",
  "Secret",
  "Savage",
  "Gentle",
  "Wandering",
];
const NOUNS = [
  "Harbor",
  "Empire",
  "Garden",
  "River",
  "Kingdom",
  "Shadow",
  "Horizon",
  "Orchard",
  "Signal",
  "Frontier",
  "Lighthouse",
  "Crossing",
  "Tide",
  "Compass",
  "Citadel",
  "Meadow",
  "Reckoning",
  "Circuit",
  "Lantern",
  "Fortune",
  "Valley",
  "Covenant",
  "Mirror",
  "Outpost",
  "Voyage",
  "Canyon",
  "Archive",
  "Promise",
  "Summit",
  "Carnival",
];
const PLACES = [
  "Lisbon",
  "Kyoto",
  "Marrakesh",
  "Oslo",
  "Havana",
  "Cairo",
  "Montréal",
  "Reykjavík",
  "Valparaíso",
  "Tbilisi",
  "Naples",
  "Bogotá",
  "Seville",
  "Kraków",
  "Dakar",
  "Hanoi",
  "Galway",
  "Zürich",
  "Manila",
  "Nairobi",
];
const FIRST_NAMES = [
  "Amara",
  "Lucas",
  "Sofia",
  "Mateo",
  "Ingrid",
  "Kenji",
  "Noor",
  "Elena",
  "Tobias",
  "Chiara",
  "Olusegun",
  "Freya",
  "Diego",
  "Yara",
  "Henrik",
  "Aisha",
  "Marco",
  "Léa",
  "Ravi",
  "Camille",
  "Jonas",
  "Zainab",
  "Felix",
  "Mei",
  "Andrés",
  "Hana",
  "Oscar",
  "Priya",
  "Stellan",
  "Beatriz",
];
const LAST_NAMES = [
  "Okafor",
  "Lindqvist",
  "Moreau",
  "Castillo",
  "Nakamura",
  "Haddad",
  "Kowalski",
  "Fernández",
  "Brennan",
  "Rossi",
  "Adeyemi",
  "Johansson",
  "Petrov",
  "Mendes",
  "Dubois",
  "Kapoor",
  "Novak",
  "Ortega",
  "Svensson",
  "Mbeki",
  "Álvarez",
  "Fischer",
  "Tanaka",
  "Oliveira",
  "Byrne",
  "Horvat",
  "Sato",
  "Delacroix",
  "Quinn",
  "Varga",
];
const ROLES = [
  "a detective",
  "a young widow",
  "two estranged brothers",
  "a retired boxer",
  "an ambitious chef",
  "a small-town teacher",
  "a rookie pilot",
  "a grieving father",
  "a runaway heiress",
  "a disgraced surgeon",
  "a street musician",
  "a park ranger",
  "an exiled prince",
  "a reluctant spy",
  "a teenage inventor",
];
const GOALS = [
  "uncover a decades-old conspiracy",
  "win back a lost love",
  "save the family vineyard",
  "survive one impossible night",
  "find a missing sister",
  "clear their name",
  "lead an unlikely team to the finals",
  "escape a city under siege",
  "solve a string of strange disappearances",
  "rebuild a life from scratch",
  "protect a village from a ruthless landowner",
  "deliver a message across enemy lines",
];
const TWISTS = [
  "before the winter sets in",
  "while a storm cuts the island off",
  "as old secrets surface",
  "with the help of an unexpected friend",
  "against the clock",
  "while hiding a dangerous gift",
  "as the whole town watches",
  "in the shadow of a powerful family",
];

// Weighted genre mix of a streaming catalog.
const GENRE_WEIGHTS: Array<[string, number]> = [
  ["drama", 20],
  ["comedy", 15],
  ["thriller", 9],
  ["action", 9],
  ["documentary", 7],
  ["romance", 7],
  ["crime", 7],
  ["horror", 5],
  ["science-fiction", 5],
  ["kids", 5],
  ["family", 5],
  ["animation", 4],
  ["adventure", 4],
  ["mystery", 4],
  ["fantasy", 3],
  ["reality", 3],
  ["biography", 2],
  ["history", 2],
  ["anime", 2],
  ["music", 2],
  ["sports", 2],
  ["war", 1],
  ["western", 1],
  ["musical", 1],
];

function weighted(r: () => number, table: Array<[string, number]>): string {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) {
    x -= w;
    if (x < 0) return v;
  }
  return (table[0] as [string, number])[0];
}

/** Genres a children's title never has, and whose titles are never rated for children. */
const ADULT_THEMES = ["horror", "war", "crime", "thriller"];
/** Genres made for children: their titles are rated ALL or KIDS. */
const FOR_CHILDREN = ["kids", "family"];

/**
 * A rating that follows the title's genres: children's genres ALL or KIDS,
 * animation mostly ALL or KIDS, horror ADULT, war, crime and thriller TEEN or
 * ADULT, the rest spread over all four. Each branch draws from `r` as the
 * earlier rule did (horror none, the others one), so fixing the ratings left
 * every other generated fact where it was.
 */
function maturityFor(r: () => number, genres: string[]): number {
  if (genres.some((g) => FOR_CHILDREN.includes(g))) return r() < 0.6 ? 1 : 2;
  const dark = genres.some((g) => ADULT_THEMES.includes(g));
  if (genres.includes("animation") && !dark) {
    const x = r();
    return x < 0.45 ? 1 : x < 0.85 ? 2 : 3;
  }
  if (genres.includes("horror")) return genres.includes("animation") ? (r() < 0.5 ? 3 : 4) : 4;
  const x = r();
  if (dark) return x < 0.4 ? 3 : 4;
  return x < 0.1 ? 1 : x < 0.25 ? 2 : x < 0.65 ? 3 : 4;
}

function titleFor(r: () => number): string {
  const patterns = [
    () => `The ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`,
    () => `${pick(r, NOUNS)} of ${pick(r, PLACES)}`,
    () => `${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`,
    () => {
      const noun = pick(r, NOUNS);
      return `${/^[AEIOU]/.test(noun) ? "An" : "A"} ${noun} in ${pick(r, PLACES)}`;
    },
    () => `${pick(r, FIRST_NAMES)}'s ${pick(r, NOUNS)}`,
    () => `Beyond the ${pick(r, NOUNS)}`,
    () => `${pick(r, PLACES)} ${pick(r, NOUNS)}s`,
    () => `The ${pick(r, NOUNS)} ${pick(r, ["Affair", "Protocol", "Files", "Diaries", "Sessions", "Years"])}`,
  ];
  return pick(r, patterns)();
}

const person = (r: () => number) => `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`;

const day = (r: () => number) => String(1 + Math.floor(r() * 28)).padStart(2, "0");
const month = (r: () => number) => String(1 + Math.floor(r() * 12)).padStart(2, "0");

/** Epoch of the seeded rows' create and update times (fixed, so rows are identical on every seed). */
const SEED_TIME_MS = Date.UTC(2026, 0, 1);
/** How far each catalog version moves the seeded rows' update time on. */
const VERSION_STEP_MS = 86_400_000;

function build(spec: FixtureTitle, r: () => number, n: number): Content {
  const id = uuidV5(`${spec.title}|${spec.year}`);
  const isSeries = spec.type === "series";
  const seasons = isSeries
    ? Array.from({ length: 1 + Math.floor(-Math.log(1 - r() * 0.95) * 1.5) }, (_, si) => ({
        seasonNumber: si + 1,
        title: `Season ${si + 1}`,
        episodes: Array.from({ length: 6 + Math.floor(r() * 7) }, (_, ei) => ({
          episodeId: uuidV5(`${id}|s${si + 1}e${ei + 1}`),
          episodeNumber: ei + 1,
          title: `Episode ${ei + 1}`,
          synopsis: `${spec.title}, season ${si + 1}, episode ${ei + 1}.`,
          duration: durationFromMs(Math.round(spec.minutes * (0.85 + r() * 0.3)) * 60_000),
        })),
      }))
    : [];
  const hasWindow = r() < 0.05;
  return create(ContentSchema, {
    contentId: id,
    type: isSeries ? ContentType.SERIES : ContentType.MOVIE,
    title: spec.title,
    genreIds: spec.genres,
    releaseDate: `${spec.year}-${month(r)}-${day(r)}`,
    duration: durationFromMs(spec.minutes * 60_000),
    synopsis: spec.synopsis,
    cast: [
      ...spec.cast.map((name, i) => ({ name, role: i === 0 && r() < 0.2 ? "Director" : "Actor" })),
      ...crewOf(spec.title),
    ],
    rating: Math.round(Math.min(10, Math.max(1, 6.6 + (r() + r() + r() - 1.5) * 2)) * 10) / 10,
    maturityRating: spec.maturity,
    // No artwork here: seeding points each title at pictures the content service draws (artwork/).
    availability: hasWindow ? { endTime: timestampFromMs(Date.UTC(2030, 11, 31)) } : {},
    popularity: spec.popularity,
    seasons,
    publishState: PublishState.PUBLISHED,
    createTime: timestampFromMs(SEED_TIME_MS + n * 1000),
    updateTime: timestampFromMs(SEED_TIME_MS + n * 1000 + (CATALOG_VERSION - 1) * VERSION_STEP_MS),
  });
}

function generatedSpec(r: () => number, taken: Set<string>): FixtureTitle {
  const year = Math.max(1930, 2025 - Math.floor(-Math.log(1 - r() * 0.999) * 11));
  const first = weighted(r, GENRE_WEIGHTS);
  const genres = [first];
  const extra = r() < 0.55 ? 1 + (r() < 0.3 ? 1 : 0) : 0;
  for (let i = 0; i < extra; i++) {
    const g = weighted(r, GENRE_WEIGHTS);
    if (!genres.includes(g)) genres.push(g);
  }
  // Children's titles are not also horror, war, crime or thriller.
  if (genres.some((g) => FOR_CHILDREN.includes(g)))
    for (const adult of ADULT_THEMES) if (genres.includes(adult)) genres.splice(genres.indexOf(adult), 1);
  const type = genres.includes("reality") || r() < 0.22 ? "series" : "movie";
  let title = titleFor(r);
  for (let n = 2; taken.has(title.toLowerCase()); n++) title = `${titleFor(r)}${n > 4 ? ` ${n}` : ""}`;
  taken.add(title.toLowerCase());
  const cast = Array.from({ length: 2 + Math.floor(r() * 4) }, () => person(r));
  const synopsis =
    genres[0] === "documentary"
      ? `A documentary following ${pick(r, ROLES)} in ${pick(r, PLACES)} as they ${pick(r, GOALS)}.`
      : `In ${pick(r, PLACES)}, ${pick(r, ROLES)} must ${pick(r, GOALS)} ${pick(r, TWISTS)}.`;
  // Long tail: most titles are niche, a few are hits.
  const popularity = Math.round(r() ** 3 * 60 * 100) / 100;
  const minutes =
    type === "series"
      ? pick(r, [22, 25, 30, 45, 50, 55, 60])
      : Math.round(Math.min(200, Math.max(70, 105 + (r() + r() + r() - 1.5) * 30)));
  return { title, year, type, genres, maturity: maturityFor(r, genres), cast, synopsis, popularity, minutes };
}

/** The seeded catalog of `size` titles (at least the fixtures), in a fixed order. */
export function generateCatalog(size: number = DEFAULT_CATALOG_SIZE, seed = 20_261_123): Content[] {
  const r = seededRandom(seed);
  const taken = new Set(FIXTURE_TITLES.map((f) => f.title.toLowerCase()));
  const specs: FixtureTitle[] = [...FIXTURE_TITLES];
  while (specs.length < size) specs.push(generatedSpec(r, taken));
  return specs.map((spec, n) => build(spec, r, n));
}
