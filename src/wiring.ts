/**
 * Connects the services through their seams once all are built: the runtime behind the push
 * queue, the queue behind Event invocations and bucket notifications, destinations, role usage.
 * Kept apart from engine.ts so the composition root stays a list of parts.
 */
import type { Buckets } from './buckets/buckets.js';
import { attachFunctionDirectory, attachNotificationSink } from './buckets/buckets.js';
import type { AsyncInvocations } from './dispatch/push/async-invocations.js';
import { isLambdaliteError } from './errors.js';
import type { Functions } from './functions/service.js';
import type { Iam } from './iam/iam.js';
import type { Mappings } from './mappings/service.js';
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

async function functionExists(functions: Functions, nameOrArn: string): Promise<boolean> {
  try {
    await functions.get(nameOrArn);
    return true;
  } catch (err) {
    if (isLambdaliteError(err, 'ResourceNotFoundException')) return false;
    throw err;
  }
}

export function wireServices(services: WiredServices): void {
  const { iam, asyncInvocations, functions, buckets, streams } = services;
  functions.setAsyncQueue(asyncInvocations);
  attachNotificationSink(buckets, asyncInvocations);
  asyncInvocations.attachInvoker(functions.invoker, {
    reservedConcurrency: (name) => functions.peekConfiguration(name)?.reservedConcurrency,
  });
  asyncInvocations.setDestinationTargets({
    putStreamRecord: async (stream, partitionKey, data) => {
      await streams.putRecord(stream, { partitionKey, data });
    },
    putBucketObject: async (bucket, key, body) => {
      await buckets.putObject(bucket, key, body, { contentType: 'application/json' });
    },
  });
  attachFunctionDirectory(buckets, { exists: (arn) => functionExists(functions, arn) });
  iam.registerRoleUsage({
    usersOf: async (roleArn) =>
      (await functions.list()).filter((f) => f.role === roleArn).map((f) => `function:${f.functionName}`),
  });
  wireEnforcement(services);
}
