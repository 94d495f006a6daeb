/**
 * Composition root: opens storage, builds the services and wires them together. No logic of
 * its own lives here (DESIGN.md §2.7).
 */
import type { Observable } from 'rxjs';
import {
  createContext,
  type EngineContext,
  type EngineOptions,
  type EngineStatus,
  Lifecycle,
  resolveOptions,
} from './context.js';
import { type EngineEvent, EventHub } from './events.js';
import { Mappings } from './mappings/service.js';
import { Storage } from './storage/storage.js';

/**
 * One lambdalite engine. Create it with {@link createEngine}; close it with `close()` or
 * `await using engine = await createEngine()`.
 */
export class Engine implements AsyncDisposable {
  readonly #ctx: EngineContext;
  /** Event source mappings: stream and table-stream shards polled in order into functions. */
  readonly mappings: Mappings;

  /** @internal use {@link createEngine}. */
  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
    this.mappings = new Mappings(ctx, {
      backoff: { initialMs: ctx.quotas.pullRetryInitialMs, multiplier: 2, maxMs: ctx.quotas.pullRetryMaxMs },
    });
    ctx.lifecycle.onClose(() => this.mappings.close());
  }

  get status(): EngineStatus {
    return this.#ctx.lifecycle.status;
  }

  get region(): string {
    return this.#ctx.region;
  }

  get accountId(): string {
    return this.#ctx.accountId;
  }

  /** LevelDB directory, or undefined for an in-memory engine. */
  get location(): string | undefined {
    return this.#ctx.storage.location;
  }

  /** Everything that happens in the engine, as typed events. */
  get events$(): Observable<EngineEvent> {
    return this.#ctx.events.events$;
  }

  /** Stops dispatchers and containers, persists, releases the LevelDB lock. Idempotent. */
  close(): Promise<void> {
    return this.#ctx.lifecycle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Opens an engine.
 *
 * @example
 * const engine = await createEngine({ location: './data' });
 * await engine.buckets.create('photos');
 * await engine.close();
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const resolved = resolveOptions(options);
  const storage = await Storage.open(resolved.location);
  const events = new EventHub(resolved.clock);
  const lifecycle = new Lifecycle();
  const ctx = createContext(resolved, storage, events, lifecycle);
  // Hooks run in reverse: storage closes last, after every service has drained.
  lifecycle.onClose(async () => {
    await storage.close();
    events.emit('engine.closed', {});
    events.complete();
  });
  const engine = new Engine(ctx);
  lifecycle.markOpen();
  events.emit('engine.opened', {
    location: resolved.location,
    region: resolved.region,
    accountId: resolved.accountId,
  });
  return engine;
}
