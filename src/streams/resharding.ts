/**
 * splitShard and mergeShards (reference §2.8). Parents close under their write lock, so no
 * record lands in a parent after its ending sequence number; the new meta (closed parents and
 * open children with parent links) is one batch. Readers of a parent see SHARD_END with the
 * child ids once they drained it.
 */
import { LambdaliteError } from '../errors.js';
import { type ShardMeta, shardIdOf } from './model.js';
import { sequenceAt } from './sequence.js';
import type { ShardLog, ShardState, StreamState } from './shard-log.js';

const NEW_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

function requireOpen(stream: StreamState, shardId: string, option: string): ShardState {
  const shard = [...stream.shards.values()].find((s) => s.meta.shardId === shardId);
  if (!shard) {
    throw new LambdaliteError(
      'ResourceNotFoundException',
      `${option} ${JSON.stringify(shardId)} not found in stream ${stream.meta.name}`,
    );
  }
  if (shard.meta.closedAt !== undefined) {
    throw new LambdaliteError(
      'ResourceInUseException',
      `${option} ${shardId} of stream ${stream.meta.name} is closed; only open shards can be resharded`,
    );
  }
  return shard;
}

function closed(shard: ShardState, now: number): ShardMeta {
  return {
    ...shard.meta,
    closedAt: now,
    endingSequenceNumber: shard.lastSequence ?? sequenceAt(shard.meta.index, now),
  };
}

function newChild(index: number, now: number, start: bigint, end: bigint, parents: ShardState[]): ShardMeta {
  const [parent, adjacent] = parents;
  return {
    index,
    shardId: shardIdOf(index),
    start: start.toString(),
    end: end.toString(),
    ...(parent ? { parentShardId: parent.meta.shardId } : {}),
    ...(adjacent ? { adjacentParentShardId: adjacent.meta.shardId } : {}),
    startingSequenceNumber: sequenceAt(index, now),
  };
}

async function commit(
  log: ShardLog,
  stream: StreamState,
  parents: ShardState[],
  children: (now: number, first: number) => ShardMeta[],
): Promise<ShardMeta[]> {
  const locked = [...parents].sort((a, b) => a.meta.index - b.meta.index);
  const run = async (i: number): Promise<ShardMeta[]> => {
    const shard = locked[i];
    if (shard) return log.withShard(stream, shard, () => run(i + 1));
    const now = log.now();
    const made = children(now, stream.meta.nextShardIndex);
    const closedMetas = parents.map((p) => closed(p, now));
    const byIndex = new Map(closedMetas.map((m) => [m.index, m]));
    const meta = {
      ...stream.meta,
      nextShardIndex: stream.meta.nextShardIndex + made.length,
      shards: [...stream.meta.shards.map((s) => byIndex.get(s.index) ?? s), ...made],
    };
    await log.saveMeta(stream, meta);
    log.addShards(stream, made);
    log.closeShards(stream, closedMetas);
    // A shared stream: other processes' appends to the parents in flight now land before the
    // parents' fences or go to the children.
    await log.fenceClosed(stream, parents);
    return made;
  };
  return run(0);
}

export async function splitShard(
  log: ShardLog,
  stream: StreamState,
  shardId: string,
  newStartingHashKey: unknown,
): Promise<ShardMeta[]> {
  const parent = requireOpen(stream, shardId, 'shardToSplit');
  if (typeof newStartingHashKey !== 'string' || !NEW_KEY_PATTERN.test(newStartingHashKey)) {
    throw new LambdaliteError(
      'ValidationException',
      `newStartingHashKey must be a decimal integer string, got ${JSON.stringify(newStartingHashKey)}`,
    );
  }
  const key = BigInt(newStartingHashKey);
  if (key <= parent.start || key > parent.end) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `newStartingHashKey ${newStartingHashKey} must be greater than ${parent.start} and at most ${parent.end} (the hash key range of ${shardId})`,
    );
  }
  return commit(log, stream, [parent], (now, first) => [
    newChild(first, now, parent.start, key - 1n, [parent]),
    newChild(first + 1, now, key, parent.end, [parent]),
  ]);
}

export async function mergeShards(
  log: ShardLog,
  stream: StreamState,
  shardId: string,
  adjacentShardId: string,
): Promise<ShardMeta[]> {
  const shard = requireOpen(stream, shardId, 'shardToMerge');
  const adjacent = requireOpen(stream, adjacentShardId, 'adjacentShardToMerge');
  if (shard === adjacent || (shard.end + 1n !== adjacent.start && adjacent.end + 1n !== shard.start)) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `shards ${shardId} and ${adjacentShardId} of stream ${stream.meta.name} are not adjacent: their hash key ranges must be contiguous`,
    );
  }
  // Contiguous ranges: the lower shard gives the start, the other the end.
  const [start, end] =
    shard.start < adjacent.start ? [shard.start, adjacent.end] : [adjacent.start, shard.end];
  return commit(log, stream, [shard, adjacent], (now, first) => [
    newChild(first, now, start, end, [shard, adjacent]),
  ]);
}
