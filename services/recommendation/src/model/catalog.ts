import { ContentIndex } from "./content-features.js";
import type { CatalogTitle } from "./types.js";

/**
 * The titles the model knows, each under a dense index (the model's arrays
 * are indexed by it), their catalog facts, genre names and the content
 * similarity index over them (rebuilt lazily when a title's words, genres or
 * cast change).
 */
export class Catalog {
  readonly #ids: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #titles = new Map<number, CatalogTitle>();
  readonly #genreNames = new Map<string, string>();
  #content: ContentIndex | undefined;
  #idOrder = new Int32Array(0);
  /** Bumped whenever a title's facts change. */
  version = 0;

  /** Titles with an index (interactions can name a title before its facts arrive). */
  get size(): number {
    return this.#ids.length;
  }

  indexOf(contentId: string): number | undefined {
    return this.#index.get(contentId);
  }

  contentIdOf(item: number): string {
    return this.#ids[item] as string;
  }

  /** The title's index, given one if it has none yet. */
  item(contentId: string): number {
    let i = this.#index.get(contentId);
    if (i === undefined) {
      i = this.#ids.length;
      this.#ids.push(contentId);
      this.#index.set(contentId, i);
    }
    return i;
  }

  /** Adds or replaces a title's facts; true when its content (and so its content similarity) changed. */
  setTitle(title: CatalogTitle): boolean {
    const i = this.item(title.contentId);
    const before = this.#titles.get(i);
    this.#titles.set(i, title);
    this.version++;
    // Visibility, maturity or availability only filter at serving time.
    if (before !== undefined && contentKey(before) === contentKey(title)) return false;
    this.#content = undefined;
    return true;
  }

  title(item: number): CatalogTitle | undefined {
    return this.#titles.get(item);
  }

  titleOf(contentId: string): CatalogTitle | undefined {
    const i = this.#index.get(contentId);
    return i === undefined ? undefined : this.#titles.get(i);
  }

  /** Indices of the titles with catalog facts. */
  known(): IterableIterator<number> {
    return this.#titles.keys();
  }

  setGenreName(genreId: string, name: string): void {
    this.#genreNames.set(genreId, name);
  }

  /** Display name of a genre: the catalog's, else the slug in title case. */
  genreName(genreId: string): string {
    return (
      this.#genreNames.get(genreId) ??
      genreId
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(" ")
    );
  }

  content(): ContentIndex {
    this.#content ??= new ContentIndex([...this.#titles].map(([index, title]) => ({ index, title })));
    return this.#content;
  }

  /**
   * Each title's place in content id order: `compareIds` as one number per
   * title, for rankings that compare thousands of titles. Recomputed when a
   * title gets an index, which is rare next to the rankings.
   */
  idOrder(): Int32Array {
    if (this.#idOrder.length !== this.#ids.length) {
      const order = new Int32Array(this.#ids.length);
      [...this.#ids.keys()].sort(this.compareIds).forEach((item, place) => {
        order[item] = place;
      });
      this.#idOrder = order;
    }
    return this.#idOrder;
  }

  /** Orders two titles by content id: the tie-break that makes every ranking repeatable. */
  readonly compareIds = (a: number, b: number): number => {
    const x = this.#ids[a] as string;
    const y = this.#ids[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function contentKey(t: CatalogTitle): string {
  return JSON.stringify([t.title, t.synopsis, t.genreIds, t.cast]);
}
