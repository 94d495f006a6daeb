/**
 * Where destination records go: a stream record or a bucket object. Shared by the push queue's
 * destinations and the mappings' on-failure destinations. `buckets` is a getter because the
 * bucket service is built after the push queue (its notifications go into the queue). They settle
 * events already accepted, so backpressure never refuses them (Storage.admit).
 */
import type { Buckets } from '../buckets/buckets.js';
import type { DestinationTargets } from '../dispatch/push/destinations.js';
import type { StreamService } from '../streams/stream-service.js';

export function destinationWriters(streams: StreamService, buckets: () => Buckets): DestinationTargets {
  return {
    putStreamRecord: async (stream: string, partitionKey: string, data: Buffer): Promise<void> => {
      await streams.putRecordUnthrottled(stream, { partitionKey, data });
    },
    putBucketObject: async (bucket: string, key: string, body: Buffer): Promise<void> => {
      await buckets().putObjectUnthrottled(bucket, key, body, { contentType: 'application/json' });
    },
  };
}
