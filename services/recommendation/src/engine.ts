import type { Logger } from "@marquee/kit";
import { slicer, yieldToEvents } from "./model/interactions.js";
import { preference } from "./model/signals.js";
import { type ModelOptions, TasteModel } from "./model/taste-model.js";
import type { CatalogTitle, Interaction } from "./model/types.js";
import type { RatingFact, TasteStore, TitleFacts, ViewingFact } from "./store.js";

/** A change to the model; each is idempotent, so replaying one is harmless. */
type ModelOp =
  | { kind: "set"; profileId: string; contentId: string; weight: number; completed: boolean; time: number }
  | { kind: "erase"; profileId: string }
  | { kind: "title"; title: CatalogTitle }
  | { kind: "genres"; names: Map<string, string> };

function setOp(i: Interaction): ModelOp {
  return {
    kind: "set",
    profileId: i.profileId,
    contentId: i.contentId,
    weight: preference(i),
    completed: i.completed,
    time: Math.max(i.ratingTime, i.viewTime),
  };
}

function applyOp(model: TasteModel, op: ModelOp): void {
  switch (op.kind) {
    case "set":
      model.setInteraction(op.profileId, op.contentId, op.weight, op.completed, op.time);
      return;
    case "erase":
      model.removeProfile(op.profileId);
      return;
    case "title":
      model.setTitle(op.title);
      return;
    case "genres":
      for (const [id, name] of op.names) model.setGenreName(id, name);
  }
}

/**
 * Keeps the store and the in-memory model in step: every fact is written to
 * the store first, then the model takes the stored (merged) state, so the
 * model never knows more than the store and a rebuild from the store gives
 * the same answer. Work on one profile runs in order. A rebuild (from the
 * store) or a retraining (of the learned weights, from the model's own
 * profiles) runs in slices beside live updates and requests; a rebuild
 * replays the updates that landed meanwhile onto the new model before
 * swapping it in.
 */
export class TasteEngine {
  readonly #store: TasteStore;
  readonly #log: Logger;
  readonly #options: ModelOptions;
  #model: TasteModel;
  #pending: ModelOp[] | undefined;
  #rebuilding: Promise<{ ms: number; interactions: number }> | undefined;
  #retraining: Promise<void> | undefined;
  /** Changes applied since the weights in use were trained. */
  #untrained = 0;
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(store: TasteStore, log: Logger, options: ModelOptions = {}) {
    this.#store = store;
    this.#log = log;
    this.#options = options;
    this.#model = new TasteModel(options);
  }

  /** The live model (read-only use). */
  get model(): TasteModel {
    return this.#model;
  }

  #apply(op: ModelOp): void {
    applyOp(this.#model, op);
    this.#pending?.push(op);
    if (op.kind === "set" || op.kind === "erase") this.#untrained++;
  }

  /** Runs work on one key after earlier work on the same key. */
  #inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => {});
    this.#chains.set(key, tail);
    void tail.then(() => {
      if (this.#chains.get(key) === tail) this.#chains.delete(key);
    });
    return run;
  }

  async #refresh(profileId: string, contentId: string): Promise<void> {
    const i = await this.#store.getInteraction(profileId, contentId);
    this.#apply(
      i === undefined
        ? { kind: "set", profileId, contentId, weight: 0, completed: false, time: 0 }
        : setOp(i),
    );
  }

  recordRating(fact: RatingFact): Promise<void> {
    return this.#inOrder(fact.profileId, async () => {
      await this.#store.recordRating(fact);
      await this.#refresh(fact.profileId, fact.contentId);
    });
  }

  recordViewing(fact: ViewingFact): Promise<void> {
    return this.#inOrder(fact.profileId, async () => {
      await this.#store.recordViewing(fact);
      await this.#refresh(fact.profileId, fact.contentId);
    });
  }

  /** Erases the profile's interactions in the store and everything it contributed to the model. */
  eraseProfile(profileId: string): Promise<void> {
    return this.#inOrder(profileId, async () => {
      await this.#store.eraseProfile(profileId);
      this.#apply({ kind: "erase", profileId });
    });
  }

  putTitle(facts: TitleFacts): Promise<void> {
    return this.#inOrder(`title:${facts.contentId}`, async () => {
      await this.#store.putTitle(facts);
      await this.#refreshTitle(facts.contentId);
    });
  }

  setVisibility(contentId: string, published: boolean, time: number): Promise<void> {
    return this.#inOrder(`title:${contentId}`, async () => {
      await this.#store.setVisibility(contentId, published, time);
      await this.#refreshTitle(contentId);
    });
  }

  async #refreshTitle(contentId: string): Promise<void> {
    const title = await this.#store.getTitle(contentId);
    if (title !== undefined) this.#apply({ kind: "title", title });
  }

  async setGenreNames(names: Map<string, string>): Promise<void> {
    await this.#store.putGenreNames(names);
    this.#apply({ kind: "genres", names });
  }

  /** The published titles of the local catalog. */
  async publishedTitles(): Promise<CatalogTitle[]> {
    return (await this.#store.listTitles()).filter((t) => t.published);
  }

  /**
   * Builds a fresh model from the store (each profile loaded in one step),
   * trains its weights and swaps it in; updates that land meanwhile are
   * replayed onto it first. One rebuild at a time.
   */
  rebuild(): Promise<{ ms: number; interactions: number }> {
    this.#rebuilding ??= (async () => {
      const started = performance.now();
      this.#pending = [];
      try {
        const model = new TasteModel(this.#options);
        for (const title of await this.#store.listTitles()) model.setTitle(title);
        for (const [id, name] of await this.#store.genreNames()) model.setGenreName(id, name);
        let interactions = 0;
        // Stores list a profile's interactions together: load each profile in one go.
        let profileId = "";
        let entries: { contentId: string; weight: number; completed: boolean; time: number }[] = [];
        const load = () => {
          if (entries.length > 0) model.loadProfile(profileId, entries);
          entries = [];
        };
        // A store that answers from memory never yields on its own: give requests their turn.
        const turn = slicer(yieldToEvents);
        for await (const i of this.#store.allInteractions()) {
          await turn();
          if (i.profileId !== profileId) {
            load();
            profileId = i.profileId;
          }
          const op = setOp(i) as Extract<ModelOp, { kind: "set" }>;
          entries.push({
            contentId: op.contentId,
            weight: op.weight,
            completed: op.completed,
            time: op.time,
          });
          interactions++;
        }
        load();
        const loadedMs = performance.now() - started;
        const weights = await model.train(yieldToEvents);
        for (const op of this.#pending) applyOp(model, op);
        this.#model = model;
        // Only what landed during the rebuild is missing from the new weights.
        this.#untrained = this.#pending.filter((op) => op.kind === "set" || op.kind === "erase").length;
        const ms = performance.now() - started;
        this.#log.info(
          {
            ms: Math.round(ms),
            loadMs: Math.round(loadedMs),
            interactions,
            profiles: model.profileCount,
            titles: model.titleCount,
            lambda: weights.lambda,
            weights: weights.targets.length,
          },
          "model rebuilt",
        );
        return { ms, interactions };
      } finally {
        this.#pending = undefined;
        this.#rebuilding = undefined;
      }
    })();
    return this.#rebuilding;
  }

  /** Whether interactions changed (or profiles were erased) since the weights in use were trained. */
  get untrained(): boolean {
    return this.#untrained > 0;
  }

  /**
   * Retrains the live model's learned weights from its profiles as they are
   * now (erased profiles drop out of them here); no store reads. Skipped
   * while a rebuild, which trains anyway, is under way.
   */
  retrain(): Promise<void> {
    if (this.#rebuilding !== undefined) return this.#rebuilding.then(() => {});
    this.#retraining ??= (async () => {
      try {
        const model = this.#model;
        const changes = this.#untrained;
        const weights = await model.trainWeights(yieldToEvents);
        if (this.#model !== model) return;
        model.useWeights(weights);
        this.#untrained -= changes;
      } finally {
        this.#retraining = undefined;
      }
    })();
    return this.#retraining;
  }

  /** Waits for work in flight. */
  async idle(): Promise<void> {
    await Promise.all([...this.#chains.values(), this.#rebuilding, this.#retraining]);
  }
}
