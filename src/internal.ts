/**
 * @internal The engine's machinery, for the test harness (test/helpers/harness.ts) and the
 * benchmarks. Not exported from the package (`exports` names only `.` and `./sdk`), and every
 * declaration here is stripped from the published types. Application code has no way in: the
 * public facades are the whole surface.
 */
import type {
  FunctionDirectory as BucketFunctionDirectory,
  DeliveryCheck,
} from './buckets/function-directory.js';
import type { EngineContext } from './context.js';
import type {
  FailureDestinations,
  FunctionDirectory as MappingFunctionDirectory,
  ShardSources,
} from './dispatch/pull/deps.js';
import type { AsyncQueue } from './dispatch/push/async-queue.js';
import type { FunctionConcurrencyInfo } from './dispatch/push/delivery.js';
import type { DestinationTargets } from './dispatch/push/destinations.js';
import type { FunctionInvoker } from './functions/invoker.js';
import type { FunctionRegistry } from './functions/registry.js';
import type { Authorizer } from './iam/authorizer.js';
import type { InvocationChecks } from './iam/invocation-checks.js';
import type { RoleUsage } from './iam/roles/types.js';
import type { FunctionRuntime, RuntimeHost } from './runtime/runtime.js';
import type { StorageFaults } from './storage/storage.js';
import type { ShardLog } from './streams/shard-log.js';

/** @internal the parts behind one engine's facades. */
export interface EngineInternals {
  readonly ctx: EngineContext;
  readonly authorizer: Authorizer;
  readonly checks: InvocationChecks;
  readonly registry: FunctionRegistry;
  readonly runtime: FunctionRuntime;
  readonly queue: AsyncQueue;
  readonly shardLog: ShardLog;
  /** Starts what `EngineSeams.deferStart` held back (stored mappings' pollers). */
  start(): Promise<void>;
}

/**
 * @internal test doubles put in place of real parts at construction: each replaces one
 * collaborator, nothing is swapped afterwards.
 */
export interface EngineSeams {
  /** The runtime as the push queue and the pollers see it. */
  readonly invoker?: FunctionInvoker;
  readonly concurrency?: FunctionConcurrencyInfo;
  readonly destinationTargets?: Partial<DestinationTargets>;
  readonly shardSources?: ShardSources;
  readonly mappingFunctions?: MappingFunctionDirectory;
  readonly failureDestinations?: FailureDestinations;
  readonly bucketFunctions?: BucketFunctionDirectory;
  readonly deliveryCheck?: DeliveryCheck;
  /** Wraps the real SDK host of the runtime (e.g. to make container starts fail on demand). */
  readonly runtimeHost?: (real: RuntimeHost) => RuntimeHost;
  /** More users of roles (deleteRole refuses while one reports a user). */
  readonly roleUsage?: readonly RoleUsage[];
  /** Makes LevelDB writes fail on demand (a full or read-only disk). */
  readonly storageFaults?: StorageFaults;
  /** Leaves stored mappings stopped until `internals.start()`. */
  readonly deferStart?: boolean;
}

const registry = new WeakMap<object, EngineInternals>();

/** @internal called once by the composition root. */
export function registerInternals(engine: object, internals: EngineInternals): void {
  registry.set(engine, internals);
}

/** @internal the machinery of an engine built by createEngine. */
export function internalsOf(engine: object): EngineInternals {
  const internals = registry.get(engine);
  if (!internals) throw new TypeError('not an engine built by createEngine');
  return internals;
}
