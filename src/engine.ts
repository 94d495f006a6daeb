/**
 * Composition root: opens storage, then builds each part in dependency order with its
 * collaborators passed in, then starts the parts that run in the background. No logic of its
 * own lives here (DESIGN.md §2.7). The order, and where a newcomer plugs in, is drawn in
 * docs/architecture.md ("Construction order").
 */
import type { Observable } from 'rxjs';
import { levelDbBackend } from './backend.js';
import { Buckets } from './buckets/buckets.js';
import {
  createContext,
  type EngineContext,
  type EngineOptions,
  type EngineStatus,
  Lifecycle,
  resolveOptions,
} from './context.js';
import { failureDestinationsOver, functionDirectoryOver } from './dispatch/pull/engine-deps.js';
import { logShardSources } from './dispatch/pull/log-sources.js';
import { AsyncInvocations } from './dispatch/push/async-invocations.js';
import { AsyncQueue } from './dispatch/push/async-queue.js';
import { type EngineEvent, type EngineEventOf, type EngineEventType, EventHub } from './events.js';
import { LevelFunctionStore } from './functions/function-store.js';
import { Invocations } from './functions/invocations.js';
import { FunctionRegistry } from './functions/registry.js';
import { Functions } from './functions/service.js';
import { resolveFunctionName } from './functions/validate.js';
import { Authorizer } from './iam/authorizer.js';
import { Iam } from './iam/iam.js';
import { InvocationChecks } from './iam/invocation-checks.js';
import { LevelRoleRecords } from './iam/roles/role-records.js';
import { RoleStore } from './iam/roles/role-store.js';
import { type EngineSeams, registerInternals } from './internal.js';
import { Mappings } from './mappings/service.js';
import { Logs } from './observe/logs/logs.js';
import { Metrics } from './observe/metrics/metrics.js';
import { FunctionRuntime } from './runtime/runtime.js';
import { Storage } from './storage/storage.js';
import { RetentionSweeper } from './streams/retention.js';
import { ShardLog } from './streams/shard-log.js';
import { StreamService } from './streams/stream-service.js';
import { TableService } from './tables/table-service.js';
import { destinationWriters } from './wiring/destinations.js';
import {
  bucketDeliveryCheck,
  callerAccess,
  mappingAuthorizer,
  pushDeliveryAuthorizer,
} from './wiring/enforcement.js';
import { SdkHost } from './wiring/sdk-host.js';

/** The facades an engine is made of (built by {@link createEngine}). */
interface EngineParts {
  readonly iam: Iam;
  readonly asyncInvocations: AsyncInvocations;
  readonly buckets: Buckets;
  readonly functions: Functions;
  readonly streams: StreamService;
  readonly tables: TableService;
  readonly mappings: Mappings;
  readonly logs: Logs;
  readonly metrics: Metrics;
}

/**
 * One lambdalite engine. Create it with {@link createEngine}; close it with `close()` or
 * `await using engine = await createEngine()`.
 */
export class Engine implements AsyncDisposable {
  readonly #ctx: EngineContext;
  /** Roles, policies, the policy simulator. */
  readonly iam: Iam;
  /** The push queue as operators see it: pending events, dead letters, event invoke config. */
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
  /** CloudWatch Logs: each function's log group, a stream per container, filter and tail. */
  readonly logs: Logs;
  /** CloudWatch-style metrics: AWS/Lambda's, custom and EMF ones; statistics, watch, Prometheus. */
  readonly metrics: Metrics;

  /** @internal use {@link createEngine}. */
  constructor(ctx: EngineContext, parts: EngineParts) {
    this.#ctx = ctx;
    this.iam = parts.iam;
    this.asyncInvocations = parts.asyncInvocations;
    this.buckets = parts.buckets;
    this.functions = parts.functions;
    this.streams = parts.streams;
    this.tables = parts.tables;
    this.mappings = parts.mappings;
    this.logs = parts.logs;
    this.metrics = parts.metrics;
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
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return buildEngine(options, {});
}

/**
 * @internal the composition root, with test doubles in place of some parts (internal.ts).
 * Close hooks run in reverse order of registration: what is built last stops first, and
 * storage closes after every part has drained.
 */
export async function buildEngine(options: EngineOptions, seams: EngineSeams): Promise<Engine> {
  // 1. Shared ground: options, storage, events, lifecycle.
  const resolved = resolveOptions(options);
  const storage = await Storage.open(resolved.location, seams.storageFaults);
  const events = new EventHub(resolved.clock);
  const lifecycle = new Lifecycle();
  const ctx = createContext(resolved, storage, events, lifecycle);
  lifecycle.onClose(async () => {
    await storage.close();
    events.emit('engine.closed', {});
    events.complete();
  });
  // The backend's seam implementations; its connections close after every part (metrics'
  // last minutes included), before storage.
  const backend = await (resolved.backend ?? levelDbBackend()).open({ storage });
  lifecycle.onClose(() => backend.close());

  // Metrics read only the event hub: built first, their close hook (the last minutes written)
  // runs after every part they observe has stopped.
  const metrics = await Metrics.open({
    storage,
    clock: ctx.clock,
    events,
    lifecycle,
    options: resolved.metrics,
    feed: backend.observe?.metrics,
  });
  lifecycle.onClose(() => metrics.close());

  // 2. The shard log and what writes to it: streams, table streams, retention.
  const shardLog = await ShardLog.open(ctx, backend.shardStore, backend.catalogs?.streams);
  const retention = new RetentionSweeper(ctx, shardLog);
  lifecycle.onClose(async () => {
    await retention.close();
    await shardLog.close();
  });
  const streams = new StreamService(ctx, shardLog, retention);
  const tables = await TableService.open(ctx, shardLog, backend.catalogs?.tables, backend.tableItems);

  // 3. IAM enforcement over the role store, and the function registry it reads policies from.
  const roles = new RoleStore(ctx, backend.roleRecords ?? new LevelRoleRecords(storage));
  const authorizer = new Authorizer(roles, ctx.clock, ctx.accountId, resolved.callerIdentity);
  const registry = new FunctionRegistry(ctx, backend.functionStore ?? new LevelFunctionStore(storage));
  const checks = new InvocationChecks(authorizer, ctx.arns, ctx.accountId, (name) =>
    registry.policyDocument(name),
  );

  // 4. The runtime. Its SDK host reaches services built below, through a getter read per call.
  let sdkServices: ConstructorParameters<typeof SdkHost>[2] = () => {
    throw new Error('lambdalite/sdk called before the engine was built');
  };
  const realHost = new SdkHost(authorizer, ctx.arns, () => sdkServices());
  const host = {
    sdkCall: realHost.call.bind(realHost),
    logsAccess: realHost.logsAccess.bind(realHost),
  };
  // The log store before the runtime: its close hook then runs after the runtime's and stores
  // the containers' last lines.
  const logs = await Logs.open(ctx, resolved.logs, backend.observe?.logs);
  const runtime = new FunctionRuntime(
    ctx,
    registry,
    seams.runtimeHost ? seams.runtimeHost(host) : host,
    logs.sink,
    metrics.printedLines,
    metrics.invocations,
  );
  const invoker = seams.invoker ?? runtime;
  // A function changed on another engine process: its containers here retire as on a local update.
  registry.changedElsewhere$.subscribe(
    ({ functionName, reason }) => void runtime.retire(functionName, reason),
  );

  // 5. The push queue: delivers to the runtime, writes destinations to streams and buckets.
  let buckets: Buckets | undefined;
  const bucketsLater = (): Buckets => buckets ?? fail('buckets used before the engine was built');
  const queue = new AsyncQueue(ctx, resolved.asyncInvocation, {
    invoker,
    concurrency: seams.concurrency ?? {
      reservedConcurrency: (name) => registry.peek(name)?.reservedConcurrency,
      load: (name) => (registry.known(name) ? undefined : registry.get(name).then(() => undefined)),
    },
    targets: { ...destinationWriters(streams, bucketsLater), ...seams.destinationTargets },
    authorize: pushDeliveryAuthorizer(checks, registry),
    ...(backend.pushQueue ? { backend: backend.pushQueue } : {}),
  });
  // Registered after the queue's own hook, so it runs before it: containers stop, then the
  // queue persists what is left.
  lifecycle.onClose(() => runtime.close());

  // 6. The facades over functions and buckets.
  const invocations = new Invocations(ctx, registry, runtime, queue);
  const functions = new Functions(ctx, {
    registry,
    runtime,
    invocations,
    queue,
    access: callerAccess(authorizer),
  });
  buckets = new Buckets(ctx, {
    sink: queue,
    directory: seams.bucketFunctions ?? {
      exists: async (arn) => (await registry.get(resolveFunctionName(ctx, arn))) !== undefined,
    },
    deliveryCheck: seams.deliveryCheck ?? bucketDeliveryCheck(checks),
    store: backend.bucketStore,
  });
  sdkServices = () => ({ buckets: bucketsLater(), streams, tables, invocations });

  // 7. Event source mappings: shard sources, functions, runtime, IAM, failure destinations.
  const mappings = new Mappings(ctx, {
    sources: seams.shardSources ?? logShardSources(shardLog),
    functions:
      seams.mappingFunctions ??
      functionDirectoryOver({
        get: (name) => registry.require(resolveFunctionName(ctx, name)),
        peekConfiguration: (name) => registry.peek(name),
      }),
    invoker,
    destinations:
      seams.failureDestinations ??
      failureDestinationsOver({
        ctx,
        invokeAsync: (fn, payload) => functions.invokeAsync(fn, payload),
        ...destinationWriters(streams, bucketsLater),
      }),
    authorizer: mappingAuthorizer(checks, authorizer),
    backoff: { initialMs: ctx.quotas.pullRetryInitialMs, multiplier: 2, maxMs: ctx.quotas.pullRetryMaxMs },
    coordination: backend.coordination,
    shared: backend.sharedMappings,
  });
  lifecycle.onClose(() => mappings.close());

  // 8. IAM's facade last: deleteRole asks functions and mappings whether a role is in use.
  const iam = new Iam(ctx, {
    store: roles,
    usage: [
      {
        usersOf: async (roleArn) =>
          (await functions.list()).filter((f) => f.role === roleArn).map((f) => `function:${f.functionName}`),
      },
      {
        usersOf: async (roleArn) =>
          (await mappings.list())
            .filter((m) => m.role === roleArn)
            .map((m) => `event-source-mapping:${m.uuid}`),
      },
      ...(seams.roleUsage ?? []),
    ],
  });

  const engine = new Engine(ctx, {
    iam,
    asyncInvocations: new AsyncInvocations(queue),
    buckets,
    functions,
    streams,
    tables,
    mappings,
    logs,
    metrics,
  });

  // 9. Start: the push dispatcher, retention, then (in the background) stored mappings.
  queue.start();
  lifecycle.markOpen();
  void retention.sweep();
  const startMappings = (): Promise<void> =>
    mappings.start().catch((err: unknown) =>
      events.emit('mapping.error', {
        uuid: '',
        shardId: undefined,
        message: `restarting mappings failed: ${err instanceof Error ? err.message : String(err)}`,
      }),
    );
  if (!seams.deferStart) void startMappings();
  registerInternals(engine, {
    ctx,
    authorizer,
    checks,
    registry,
    runtime,
    queue,
    shardLog,
    start: startMappings,
  });
  events.emit('engine.opened', {
    location: resolved.location,
    region: resolved.region,
    accountId: resolved.accountId,
  });
  return engine;
}

function fail(message: string): never {
  throw new Error(message);
}
