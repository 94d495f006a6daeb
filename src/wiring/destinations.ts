/**
 * Where destination records go: a stream record or a bucket object. Shared by the push queue's
 * destinations and the mappings' on-failure destinations. `buckets` is a getter because the
 * bucket service is built after the push queue (its notifications go into the queue).
 */
import type { Buckets } from '../buckets/buckets.js';
import type { DestinationTargets } from '../dispatch/push/destinations.js';
import type { StreamService } from '../streams/stream-service.js';

export function destinationWriters(streams: StreamService, buckets: () => Buckets): DestinationTargets {
  return {
    putStreamRecord: async (stream: string, partitionKey: string, data: Buffer): Promise<void> => {
      await streams.putRecord(stream, { partitionKey, data });
    },
    putBucketObject: async (bucket: string, key: string, body: Buffer): Promise<void> => {
      await buckets().putObject(bucket, key, body, { contentType: 'application/json' });
    },
  };
}
