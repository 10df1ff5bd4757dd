import type { CatalogTitle } from "./types.js";

const STOPWORDS = new Set(
  "the and for with from that this into about after over under their his her its who what when where which while they them than then are was were has have had not but all one two out off you your our".split(
    " ",
  ),
);

/** Words of a text worth comparing: lowercase letters and digits, three or more, no stopwords. */
function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w));
}

const GENRE_WEIGHT = 1;
const CAST_WEIGHT = 0.8;
const CAST_CREDITED = 6;
const TEXT_WEIGHT = 0.35;

/**
 * Content-based similarity: each title becomes a unit vector of genres, cast
 * and TF-IDF words of title and synopsis; similarity is the cosine, computed
 * a row at a time through an inverted index (feature → titles), so it costs
 * only the titles that share a feature.
 */
export class ContentIndex {
  /** feature → [item, weight] pairs. */
  readonly #postings = new Map<string, { items: number[]; weights: number[] }>();
  readonly #vectors = new Map<number, Map<string, number>>();

  constructor(titles: Iterable<{ index: number; title: CatalogTitle }>) {
    const docs: { index: number; raw: Map<string, number>; words: string[] }[] = [];
    const df = new Map<string, number>();
    for (const { index, title } of titles) {
      const raw = new Map<string, number>();
      for (const g of title.genreIds) raw.set(`g:${g}`, GENRE_WEIGHT);
      for (const c of title.cast.slice(0, CAST_CREDITED)) raw.set(`c:${c.toLowerCase()}`, CAST_WEIGHT);
      const words = [...new Set(tokens(`${title.title} ${title.synopsis}`))];
      for (const w of words) df.set(w, (df.get(w) ?? 0) + 1);
      docs.push({ index, raw, words });
    }
    const n = Math.max(1, docs.length);
    for (const doc of docs) {
      for (const w of doc.words) {
        const d = df.get(w) ?? 1;
        // Words on more than a fifth of the titles say nothing about taste.
        if (d > 1 && d <= Math.max(2, n / 5)) doc.raw.set(`w:${w}`, TEXT_WEIGHT * Math.log(n / d));
      }
      let norm = 0;
      for (const v of doc.raw.values()) norm += v * v;
      norm = Math.sqrt(norm);
      if (norm === 0) continue;
      const unit = new Map<string, number>();
      for (const [f, v] of doc.raw) {
        const w = v / norm;
        unit.set(f, w);
        let posting = this.#postings.get(f);
        if (posting === undefined) {
          posting = { items: [], weights: [] };
          this.#postings.set(f, posting);
        }
        posting.items.push(doc.index);
        posting.weights.push(w);
      }
      this.#vectors.set(doc.index, unit);
    }
  }

  /** Adds cosine(item, j) into out[j] for every j sharing a feature (scaled by `scale`). */
  addRow(item: number, out: Float64Array, scale: number): void {
    const vector = this.#vectors.get(item);
    if (vector === undefined) return;
    for (const [f, w] of vector) {
      const posting = this.#postings.get(f);
      if (posting === undefined) continue;
      const { items, weights } = posting;
      for (let k = 0; k < items.length; k++) {
        const j = items[k] as number;
        if (j < out.length) out[j] = (out[j] as number) + scale * w * (weights[k] as number);
      }
    }
  }
}
