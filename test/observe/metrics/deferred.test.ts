/**
 * A completed invocation's metric values wait for the end of the I/O phase that completed it
 * (lambda-feed.ts), off the answer's path: every read still answers as if they were recorded at
 * once, and a clustered engine's end-of-minute flush (a shared feed: one flush per closed minute)
 * records them first, exactly once per minute.
 */
import { describe, expect, it } from 'vitest';
import type { EngineBackend } from '../../../src/backend.js';
import { createEngine, type Engine, ManualClock } from '../../../src/index.js';
import type { SharedFeed } from '../../../src/observe/shared-feed.js';
import { LevelShardStore } from '../../../src/streams/level-shard-store.js';
import { onCleanup } from '../../helpers/engines.js';
import { createFixture } from '../../helpers/functions.js';

const T0 = Date.UTC(2026, 0, 1);
const FN = [{ name: 'FunctionName', value: 'echo' }];

/** A feed that publishes nowhere: what the flusher of a clustered backend writes to. */
function quietFeed(): SharedFeed {
  return {
    stage: () => ({ ops: [], send: async () => {} }),
    follow: () => async () => {},
    caughtUp: async () => {},
  };
}

/** The embedded backend with shared metrics and logs feeds (so the flusher flushes each minute). */
const sharedFeeds: EngineBackend = {
  kind: 'leveldb-with-feeds',
  open: async ({ storage }) => ({
    shardStore: new LevelShardStore(storage),
    observe: { metrics: quietFeed(), logs: quietFeed() },
    close: async () => {},
  }),
};

async function invocations(engine: Engine, minute: number): Promise<number | undefined> {
  const { datapoints } = await engine.metrics.getStatistics({
    metricName: 'Invocations',
    dimensions: FN,
    startTime: T0 + minute * 60_000,
    endTime: T0 + (minute + 1) * 60_000,
    periodMs: 60_000,
    statistics: ['Sum'],
  });
  return datapoints[0]?.sum;
}

describe('invocation metrics recorded after the I/O phase', () => {
  it('answers reads and prometheus with an invocation that completed a moment before', async () => {
    const clock = new ManualClock(T0);
    const engine = await createEngine({ clock });
    onCleanup(() => engine.close());
    await createFixture(engine, 'echo', 'gate.handler');
    await engine.functions.invoke('echo', {});
    // No turn of the event loop since: the read settles the waiting values itself.
    expect(engine.metrics.prometheus().split('\n')).toContain(
      'aws_lambda_invocations_total{FunctionName="echo"} 1',
    );
    expect(await invocations(engine, 0)).toBe(1);
  });

  it('flushes each closed minute of a clustered engine once, with the invocations just completed', async () => {
    const clock = new ManualClock(T0);
    const engine = await createEngine({ clock, backend: sharedFeeds });
    onCleanup(() => engine.close());
    await createFixture(engine, 'echo', 'gate.handler');
    const flushes: number[] = [];
    engine.eventsOf$('metrics.flushed').subscribe((e) => flushes.push(e.firstMinute));
    // One invocation in the first minute: no value was recorded before the minute closes.
    const perMinute = [1, 2, 1, 1, 1, 1];
    const timers: number[] = [];
    for (const [minute, count] of perMinute.entries()) {
      for (let i = 0; i < count; i++) await engine.functions.invoke('echo', { minute, i });
      // The minute closes before the loop turns: its end-of-minute flush (armed when the first
      // value started waiting) records the waiting invocation first. Flushed late, a minute would
      // join the next one's flush; a second timer armed meanwhile would stay, one more a minute.
      clock.advance(60_000);
      await new Promise((resolve) => setImmediate(resolve));
      timers.push(clock.pendingTimers);
    }
    expect(flushes).toEqual(perMinute.map((_, m) => T0 + m * 60_000));
    for (const [minute, count] of perMinute.entries()) expect(await invocations(engine, minute)).toBe(count);
    expect(new Set(timers.slice(2)).size).toBe(1);
  });
});
