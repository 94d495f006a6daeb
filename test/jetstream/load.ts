/**
 * Writers that put records to a stream without pause until stopped (the load under which the
 * failover tests kill a NATS node), keeping every record the engine acknowledged.
 */
import type { Engine } from '../../src/index.js';
import { Wakeups } from './wait.js';

export interface Load {
  /** Sequence numbers acknowledged so far, by shard. */
  readonly acknowledged: Map<string, string[]>;
  /** Records acknowledged so far. */
  readonly acked: number;
  /** Records refused (a putRecords entry with an error, or a call that failed as a whole). */
  readonly failed: number;
  /** Resolves once `n` more records were acknowledged; rejects after `ms`. */
  more(n: number, ms: number): Promise<void>;
  /** Stops the writers after their call under way. */
  stop(): Promise<void>;
}

/** `writers` loops of putRecords of `perCall` records each (partition keys spread by writer). */
export function writeUnderLoad(
  engine: Engine,
  stream: string,
  options: { writers: number; perCall: number },
): Load {
  const wakeups = new Wakeups();
  const acknowledged = new Map<string, string[]>();
  let acked = 0;
  let failed = 0;
  let stopped = false;
  const loops = Array.from({ length: options.writers }, async (_, w) => {
    for (let round = 0; !stopped; round++) {
      const records = Array.from({ length: options.perCall }, (_, i) => ({
        partitionKey: `w${w}-${i}`,
        data: `${w}:${round}:${i}`,
      }));
      const result = await engine.streams.putRecords(stream, records).catch(() => undefined);
      if (result === undefined) failed += records.length;
      for (const r of result?.records ?? []) {
        if ('sequenceNumber' in r) {
          acknowledged.set(r.shardId, [...(acknowledged.get(r.shardId) ?? []), r.sequenceNumber]);
          acked++;
        } else failed++;
      }
      wakeups.notify();
    }
  });
  return {
    acknowledged,
    get acked() {
      return acked;
    },
    get failed() {
      return failed;
    },
    more(n, ms) {
      const target = acked + n;
      return wakeups.until(`${n} more writes acknowledged`, () => acked >= target, ms);
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
