/**
 * Connects the services through their seams once all are built: the runtime behind the push
 * queue, the queue behind Event invocations and bucket notifications, destinations, role usage.
 * Kept apart from engine.ts so the composition root stays a list of parts.
 */
import type { Observable } from 'rxjs';
import type { Buckets } from './buckets/buckets.js';
import { attachFunctionDirectory, attachNotificationSink } from './buckets/buckets.js';
import type { EngineContext } from './context.js';
import { failureDestinationsOver, functionDirectoryOver } from './dispatch/pull/engine-deps.js';
import { logShardSources } from './dispatch/pull/log-sources.js';
import type { AsyncInvocations } from './dispatch/push/async-invocations.js';
import type { EngineEvent } from './events.js';
import type { Functions } from './functions/service.js';
import type { Iam } from './iam/iam.js';
import type { Mappings } from './mappings/service.js';
import type { ShardLog } from './streams/shard-log.js';
import type { StreamService } from './streams/stream-service.js';
import type { TableService } from './tables/table-service.js';
import { wireEnforcement } from './wiring-iam.js';

export interface WiredServices {
  readonly iam: Iam;
  readonly asyncInvocations: AsyncInvocations;
  readonly functions: Functions;
  readonly buckets: Buckets;
  readonly streams: StreamService;
  readonly mappings: Mappings;
  readonly tables: TableService;
  readonly region: string;
  readonly accountId: string;
}

/** How destination records reach a stream or a bucket: shared by async invocations and mappings. */
function destinationWriters(streams: StreamService, buckets: Buckets) {
  return {
    putStreamRecord: async (stream: string, partitionKey: string, data: Buffer): Promise<void> => {
      await streams.putRecord(stream, { partitionKey, data });
    },
    putBucketObject: async (bucket: string, key: string, body: Buffer): Promise<void> => {
      await buckets.putObject(bucket, key, body, { contentType: 'application/json' });
    },
  };
}

export function wireServices(services: WiredServices): void {
  const { iam, asyncInvocations, functions, buckets, streams } = services;
  functions.setAsyncQueue(asyncInvocations);
  attachNotificationSink(buckets, asyncInvocations);
  asyncInvocations.attachInvoker(functions.invoker, {
    reservedConcurrency: (name) => functions.peekConfiguration(name)?.reservedConcurrency,
  });
  asyncInvocations.setDestinationTargets(destinationWriters(streams, buckets));
  attachFunctionDirectory(buckets, { exists: (arn) => functions.exists(arn) });
  iam.registerRoleUsage({
    usersOf: async (roleArn) =>
      (await functions.list()).filter((f) => f.role === roleArn).map((f) => `function:${f.functionName}`),
  });
  wireEnforcement(services);
}

export interface MappingServices {
  readonly mappings: Mappings;
  readonly functions: Functions;
  readonly streams: StreamService;
  readonly buckets: Buckets;
  readonly events$: Observable<EngineEvent>;
}

/**
 * Attaches event source mappings to the real shard log, function registry, runtime and
 * destinations (synchronously); the promise resolves once enabled mappings restarted.
 */
export async function wireMappings(
  { mappings, functions, streams, buckets, events$ }: MappingServices,
  shardLog: ShardLog,
  ctx: EngineContext,
): Promise<void> {
  mappings.setFailureDestinations(
    failureDestinationsOver({
      ctx,
      invokeAsync: (fn, payload) => functions.invokeAsync(fn, payload),
      ...destinationWriters(streams, buckets),
    }),
  );
  // All three are attached before the first await, so the engine's mappings are usable as soon
  // as createEngine returns; only the last setter restarts the enabled mappings.
  const resumes = [
    mappings.setFunctionDirectory(functionDirectoryOver(functions)),
    mappings.setInvoker(functions.invoker),
    mappings.setShardSources(logShardSources(shardLog, events$)),
  ];
  await Promise.all(resumes);
}
