/**
 * The shard log as a shared item store's {@link ChangeOutlet}: appends a pending change's record
 * to its table's stream, and looks for it there. The record's partition key is the item's key
 * hash followed by the change's id (DynamoDB stream records show no partition key), so a process
 * settling a change another left half done can tell whether it was appended.
 */
import { LambdaliteError } from '../errors.js';
import { sequenceAt } from '../streams/sequence.js';
import type { ShardLog, StreamState } from '../streams/shard-log.js';
import type { Position } from '../streams/shard-types.js';
import type { TableMeta } from './model.js';
import type { ChangeOutlet, PendingChange } from './table-items.js';

/** Records read per step while looking for a change. */
const LOOK_STEP = 1000;

export function changeOutlet(log: ShardLog): ChangeOutlet {
  const streamOf = (meta: TableMeta): Promise<StreamState | undefined> =>
    meta.streamArn ? log.lookup(meta.streamArn) : Promise.resolve(undefined);
  return {
    async publish(meta, change) {
      const stream = await streamOf(meta);
      if (!stream) return undefined;
      const entry = {
        partitionKey: partitionKeyOf(change),
        data: Buffer.from(change.data, 'base64'),
        hashKey: BigInt(`0x${change.hash}`),
      };
      for (;;) {
        const shard = log.route(stream, entry);
        const sequence = (await log.appendToShard(stream, shard, [entry]))?.[0];
        if (sequence !== undefined) return sequence;
        if (stream.deleted)
          throw new LambdaliteError('ResourceNotFoundException', `the stream ${stream.meta.arn} was deleted`);
      }
    },

    async published(meta, change) {
      const stream = await streamOf(meta);
      // No stream (deleted with its table): nothing is owed.
      if (!stream || stream.deleted) return true;
      const hash = BigInt(`0x${change.hash}`);
      const wanted = partitionKeyOf(change);
      // Every shard that held the item's hash (a reshard may have moved it since the change).
      for (const shard of stream.shards.values()) {
        if (hash < shard.start || hash > shard.end) continue;
        let from: Position = { op: 'gte', sequence: sequenceAt(shard.meta.index, change.at) };
        for (;;) {
          const read = await log.read(stream, shard, from, LOOK_STEP);
          if (read.records.some((record) => record.partitionKey === wanted)) return true;
          if (read.caughtUp || read.shardEnded || read.records.length === 0) break;
          from = read.next;
        }
      }
      return false;
    },
  };
}

function partitionKeyOf(change: PendingChange): string {
  return `${change.hash}.${change.id}`;
}
