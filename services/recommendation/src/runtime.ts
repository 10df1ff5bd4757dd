import { type Logger, retryFields } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import type { CatalogSource } from "./catalog-source.js";
import { syncCatalog } from "./catalog-sync.js";
import { startConsumers } from "./consumers.js";
import { TasteEngine } from "./engine.js";
import type { ModelOptions } from "./model/taste-model.js";
import type { TasteStore } from "./store.js";

export interface RuntimeOptions {
  store: TasteStore;
  bus: EventBus;
  source: CatalogSource;
  log: Logger;
  model?: ModelOptions;
  rebuildIntervalMs: number;
  /** How often the learned weights are retrained from the live profiles when they changed. */
  retrainIntervalMs: number;
  catalogSyncIntervalMs: number;
}

export interface Runtime {
  engine: TasteEngine;
  /** Settles once the first catalog sync succeeded. */
  catalogReady: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The service's moving parts: the model rebuilt from the store at start,
 * the durable consumers, the periodic rebuild, the retraining of the learned
 * weights when interactions changed (which is also when erased profiles leave
 * them) and the catalog sync (retried with backoff while the content service
 * is not up yet).
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { store, bus, source, log } = opts;
  const engine = new TasteEngine(store, log, opts.model);
  await engine.rebuild();
  const subscriptions = await startConsumers({ bus, engine, source, log });
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  const rebuildLoop = () =>
    later(opts.rebuildIntervalMs, () => {
      engine.rebuild().then(rebuildLoop, (err: unknown) => {
        log.error({ err }, "model rebuild failed; keeping the current model");
        rebuildLoop();
      });
    });
  rebuildLoop();

  const retrainLoop = () =>
    later(opts.retrainIntervalMs, () => {
      if (!engine.untrained) return retrainLoop();
      engine.retrain().then(retrainLoop, (err: unknown) => {
        log.error({ err }, "retraining failed; keeping the current weights");
        retrainLoop();
      });
    });
  retrainLoop();

  let markReady: () => void = () => {};
  const catalogReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const syncLoop = (backoffMs: number) => {
    syncCatalog(engine, source, log).then(
      () => {
        markReady();
        later(opts.catalogSyncIntervalMs, () => syncLoop(1_000));
      },
      (err: unknown) => {
        if (stopped) return;
        log.warn({ ...retryFields(err), retryInMs: backoffMs }, "catalog sync failed; retrying");
        later(backoffMs, () => syncLoop(Math.min(backoffMs * 2, 60_000)));
      },
    );
  };
  syncLoop(1_000);

  return {
    engine,
    catalogReady,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(subscriptions.map((s) => s.stop()));
      await engine.idle();
    },
  };
}
