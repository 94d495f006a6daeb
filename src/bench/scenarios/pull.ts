/**
 * `pull`: putRecords (500 a call) into a stream polled by a mapping into the function. A record's
 * latency runs from its putRecords call to the end of the batch that delivered it; iterator ages
 * are the engine's IteratorAge metric (function-metrics.ts).
 */
import type { Engine } from '../../engine.js';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY, streamReadPolicy } from '../../iam/seed-policies.js';
import { countColdStarts, type ScenarioRun, Tally } from './scenario.js';

/** Kinesis' limit of records per putRecords call. */
export const PULL_PER_CALL = 500;

export interface PullTarget {
  streamName: string;
  /** The mapping whose batches are counted. */
  uuid: string;
}

export interface PullSettings {
  shards: number;
  batchSize: number;
  parallelizationFactor: number;
}

/** The stream's read permission for the function's role; made before the function. */
export async function pullRole(engine: Engine): Promise<{ role: string; streamName: string }> {
  const streamName = 'bench';
  const streamArn = `arn:aws:kinesis:${engine.region}:${engine.accountId}:stream/${streamName}`;
  const { arn } = await engine.iam.createRole({
    name: 'bench-pull',
    assumeRolePolicy: LAMBDA_TRUST_POLICY,
    policies: { logs: EXECUTION_LOGS_POLICY, read: streamReadPolicy(streamArn) },
  });
  return { role: arn, streamName };
}

export async function setUpPull(
  engine: Engine,
  functionName: string,
  streamName: string,
  settings: PullSettings,
): Promise<PullTarget> {
  const stream = await engine.streams.create(streamName, { shardCount: settings.shards });
  const mapping = await engine.mappings.create({
    functionName,
    eventSourceArn: stream.streamArn,
    // The stream is new: from its start, so no record put before a poller starts is skipped.
    startingPosition: 'TRIM_HORIZON',
    batchSize: settings.batchSize,
    parallelizationFactor: settings.parallelizationFactor,
  });
  return { streamName, uuid: mapping.uuid };
}

/** Sequence numbers are decimal strings of growing length. */
function seqAtMost(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a <= b;
}

interface Segment {
  /** The last sequence number one putRecords call wrote to this shard. */
  lastSeq: string;
  started: number;
  /** Records of this shard written up to and including this call. */
  cumulative: number;
}

interface Batch {
  lastSeq: string;
  size: number;
  /** When it was delivered (performance.now()). */
  at: number;
}

interface ShardTimes {
  segments: Segment[];
  early: Batch[];
  written: number;
  delivered: number;
}

export function pullScenario(
  engine: Engine,
  functionName: string,
  target: PullTarget,
  payload: Buffer,
): ScenarioRun {
  const tally = new Tally();
  // Per shard, the putRecords calls in order (one call in flight, so sequence numbers rise).
  // A delivered batch is timed from the call that wrote its last record: exact for in-order
  // delivery; with a parallelization factor above 1 a batch may hold records of earlier calls.
  // A batch may end before the putRecords call that wrote it has answered: it waits in `early`
  // until the call's sequence numbers are known.
  const shards = new Map<string, ShardTimes>();
  const shardOf = (id: string): ShardTimes => {
    let shard = shards.get(id);
    if (!shard) {
      shard = { segments: [], early: [], written: 0, delivered: 0 };
      shards.set(id, shard);
    }
    return shard;
  };
  const time = (shard: ShardTimes, batch: Batch): boolean => {
    const segment = shard.segments.find((s) => seqAtMost(batch.lastSeq, s.lastSeq));
    if (!segment) return false;
    tally.latencies.record(batch.at - segment.started, batch.size);
    return true;
  };
  const trim = (shard: ShardTimes): void => {
    while (
      shard.early.length === 0 &&
      shard.segments.length > 0 &&
      shard.segments[0]!.cumulative <= shard.delivered
    )
      shard.segments.shift();
  };
  const delivered = (shardId: string, lastSeq: string, size: number): void => {
    const shard = shardOf(shardId);
    const batch = { lastSeq, size, at: performance.now() };
    if (!time(shard, batch)) shard.early.push(batch);
    shard.delivered += size;
    trim(shard);
    tally.finish(size);
  };
  const cold = countColdStarts(engine, functionName, tally);
  const events = engine
    .eventsOf$('mapping.batch.succeeded', 'mapping.batch.failed', 'mapping.batch.givenUp')
    .subscribe((e) => {
      if (e.uuid !== target.uuid) return;
      switch (e.type) {
        case 'mapping.batch.succeeded':
          delivered(e.shardId, e.lastSequenceNumber, e.size);
          break;
        case 'mapping.batch.failed':
          tally.retries++;
          break;
        case 'mapping.batch.givenUp':
          delivered(e.shardId, e.lastSequenceNumber, e.size);
          break;
      }
    });
  return {
    description: `pull: putRecords ${target.streamName} -> mapping -> ${functionName}`,
    inFlight: 1,
    perCall: PULL_PER_CALL,
    baseline: 'leveldb',
    tally,
    async send(first, count) {
      const records = Array.from({ length: count }, (_, i) => ({
        partitionKey: `k${first + i}`,
        data: payload,
      }));
      const started = performance.now();
      const out = await engine.streams.putRecords(target.streamName, records);
      const last = new Map<string, string>();
      let refused = 0;
      for (const entry of out.records) {
        if ('shardId' in entry) {
          shardOf(entry.shardId).written++;
          last.set(entry.shardId, entry.sequenceNumber);
        } else refused++;
      }
      for (const [shardId, lastSeq] of last) {
        const shard = shardOf(shardId);
        shard.segments.push({ lastSeq, started, cumulative: shard.written });
        shard.early = shard.early.filter((batch) => !time(shard, batch));
        trim(shard);
      }
      if (refused > 0) {
        tally.refused += refused;
        tally.finish(refused);
      }
    },
    stop() {
      events.unsubscribe();
      cold.unsubscribe();
    },
  };
}
