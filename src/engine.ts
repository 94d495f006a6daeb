/**
 * Composition root: opens storage, builds the services and wires them together. No logic of
 * its own lives here (DESIGN.md §2.7).
 */
import type { Observable } from 'rxjs';
import { Buckets } from './buckets/buckets.js';
import {
  createContext,
  type EngineContext,
  type EngineOptions,
  type EngineStatus,
  Lifecycle,
  resolveOptions,
} from './context.js';
import { AsyncInvocations } from './dispatch/push/async-invocations.js';
import { type EngineEvent, type EngineEventOf, type EngineEventType, EventHub } from './events.js';
import { Functions } from './functions/service.js';
import { Iam } from './iam/iam.js';
import { Mappings } from './mappings/service.js';
import { Metrics } from './observe/metrics/metrics.js';
import { Storage } from './storage/storage.js';
import { RetentionSweeper } from './streams/retention.js';
import { ShardLog } from './streams/shard-log.js';
import { StreamService } from './streams/stream-service.js';
import { TableService } from './tables/table-service.js';
import { wireMappings, wireServices } from './wiring.js';

/**
 * One lambdalite engine. Create it with {@link createEngine}; close it with `close()` or
 * `await using engine = await createEngine()`.
 */
export class Engine implements AsyncDisposable {
  readonly #ctx: EngineContext;
  /** Roles, policies, the policy simulator; `iam.authorizer` is the internal enforcement API. */
  readonly iam: Iam;
  /**
   * Asynchronous invocations: the durable queue, its dispatcher, event invoke config and dead
   * letters. Dispatching starts once the function runtime is attached (`attachInvoker`).
   */
  readonly asyncInvocations: AsyncInvocations;
  /** S3-style buckets and objects. */
  readonly buckets: Buckets;
  /** Functions: registry, invoke, permissions; containers in worker threads. */
  readonly functions: Functions;
  /** Kinesis-style streams: shards, ordered records, iterators, resharding, retention. */
  readonly streams: StreamService;
  /** DynamoDB-style tables whose changes feed a stream. */
  readonly tables: TableService;
  /** Event source mappings: stream and table-stream shards polled in order into functions. */
  readonly mappings: Mappings;
  /** CloudWatch-style metrics: AWS/Lambda's, custom and EMF ones; statistics, watch, Prometheus. */
  readonly metrics: Metrics;

  /** @internal use {@link createEngine}. */
  constructor(ctx: EngineContext, parts: { streams: StreamService; tables: TableService; metrics: Metrics }) {
    this.#ctx = ctx;
    this.metrics = parts.metrics;
    this.iam = new Iam(ctx, ctx.options.callerIdentity);
    this.asyncInvocations = new AsyncInvocations(ctx, ctx.options.asyncInvocation);
    // Close hooks run in reverse order of construction: buckets stop accepting writes first,
    // then the runtime stops containers, then the queue persists what is left.
    this.functions = new Functions(ctx);
    this.buckets = new Buckets(ctx);
    this.streams = parts.streams;
    this.tables = parts.tables;
    this.mappings = new Mappings(ctx, {
      backoff: { initialMs: ctx.quotas.pullRetryInitialMs, multiplier: 2, maxMs: ctx.quotas.pullRetryMaxMs },
    });
    ctx.lifecycle.onClose(() => this.mappings.close());
    wireServices(this);
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

  /**
   * Events of the given types only, e.g. `engine.eventsOf$('async.succeeded', 'async.failed')`.
   * Cheaper than filtering `events$`: the engine skips building events (and log lines) of
   * types nobody observes.
   */
  eventsOf$<K extends EngineEventType>(...types: K[]): Observable<EngineEventOf<K>> {
    return this.#ctx.events.of$(...types);
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
  const shardLog = await ShardLog.open(ctx);
  const retention = new RetentionSweeper(ctx, shardLog);
  lifecycle.onClose(async () => {
    await retention.close();
    await shardLog.close();
  });
  void retention.sweep();
  const streams = new StreamService(ctx, shardLog, retention);
  const tables = await TableService.open(ctx, shardLog);
  // Built before the services it observes, so it closes after them and records their last runs.
  const metrics = await Metrics.open({
    storage,
    clock: ctx.clock,
    events,
    lifecycle,
    options: resolved.metrics,
  });
  lifecycle.onClose(() => metrics.close());
  const engine = new Engine(ctx, { streams, tables, metrics });
  lifecycle.markOpen();
  if (options.wireMappings !== false) {
    // Attached at once; stored mappings restart in the background (createEngine does not wait
    // for their LevelDB reads, like the push queue's dispatcher).
    wireMappings(engine, shardLog, ctx).catch((err: unknown) =>
      events.emit('mapping.error', {
        uuid: '',
        shardId: undefined,
        message: `restarting mappings failed: ${err instanceof Error ? err.message : String(err)}`,
      }),
    );
  }
  events.emit('engine.opened', {
    location: resolved.location,
    region: resolved.region,
    accountId: resolved.accountId,
  });
  return engine;
}
