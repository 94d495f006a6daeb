/**
 * Metrics and logs of every engine process on one cluster: two engines (one prefix, one
 * ManualClock, each its own storage) invoke the same function; getStatistics, list, filter and
 * the describe operations on either answer for both.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine, ManualClock, type MetricDimension } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { type Cluster, startCluster } from './cluster.js';
import { unlessCreated } from './shared-setup.js';

const T0 = Date.UTC(2026, 0, 1);
const FN: MetricDimension[] = [{ name: 'FunctionName', value: 'echo' }];

let cluster: Cluster;
const engines: Engine[] = [];
beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(async () => {
  for (const engine of engines) await engine.close().catch(() => undefined);
  await cluster?.stop();
});

/** Opens engines on one prefix of the cluster, each with the `echo` function. */
function processes(clock: ManualClock): () => Promise<Engine> {
  const prefix = `o${randomUUID().slice(0, 8)}`;
  return async (): Promise<Engine> => {
    const engine = await createEngine({ clock, backend: jetstream({ servers: cluster.servers, prefix }) });
    engines.push(engine);
    // Functions are shared by the processes: the first creates it, the others find it.
    await unlessCreated(() => createFixture(engine, 'echo', 'gate.handler'));
    return engine;
  };
}

async function pair(clock: ManualClock): Promise<[Engine, Engine, () => Promise<Engine>]> {
  const open = processes(clock);
  return [await open(), await open(), open];
}

async function invocations(engine: Engine, metricName = 'Invocations') {
  const { datapoints } = await engine.metrics.getStatistics({
    metricName,
    dimensions: FN,
    startTime: T0,
    endTime: T0 + 60_000,
    periodMs: 60_000,
    statistics: ['Sum', 'SampleCount', 'Maximum'],
    extendedStatistics: ['p100'],
  });
  return datapoints;
}

describe('metrics and logs across engine processes on JetStream', () => {
  it('answers getStatistics and list on either process with the minutes of both', async () => {
    const clock = new ManualClock(T0);
    const [a, b, open] = await pair(clock);
    for (let i = 0; i < 2; i++) await a.functions.invoke('echo', { from: 'a', i });
    for (let i = 0; i < 3; i++) await b.functions.invoke('echo', { from: 'b', i });
    // The minute closes on the engine clock: each process stores and publishes it (no new value
    // needed), and says so once both are done.
    const flushed = [nextEvent(a, 'metrics.flushed'), nextEvent(b, 'metrics.flushed')];
    clock.advance(60_000);
    await Promise.all(flushed);

    for (const engine of [a, b]) {
      const [point] = await invocations(engine);
      expect(point).toMatchObject({ timestamp: T0, sum: 5, sampleCount: 5, unit: 'Count' });
      const [duration] = await invocations(engine, 'Duration');
      expect(duration?.sampleCount).toBe(5);
      // The merged histogram of both processes gives the maximum of both as p100.
      expect(duration?.extendedStatistics?.p100).toBeCloseTo(duration?.maximum ?? -1, 0);
      const { metrics } = await engine.metrics.list({ metricName: 'Invocations', dimensions: FN });
      expect(metrics).toHaveLength(1);
    }
    // A process that starts later copies the minutes published before it joined.
    const c = await open();
    const [point] = await invocations(c);
    expect(point).toMatchObject({ sum: 5, sampleCount: 5 });
  }, 120_000);

  it('finds the lines of both processes with filter, getLogEvents and the describe operations', async () => {
    const clock = new ManualClock(T0);
    const [a, b] = await pair(clock);
    await a.functions.invoke('echo', { from: 'a' });
    await b.functions.invoke('echo', { from: 'b' });
    await b.functions.invoke('echo', { from: 'b' });
    // A read stores (and publishes) the reader's own lines first; each process reads once so
    // both have published before the checks.
    const group = '/aws/lambda/echo';
    await b.logs.filter({ logGroupName: group });
    for (const engine of [a, b]) {
      const { events } = await engine.logs.filter({ logGroupName: group, filterPattern: 'START' });
      expect(events).toHaveLength(3);
      const streams = await engine.logs.describeLogStreams(group);
      expect(streams.length).toBeGreaterThanOrEqual(2);
      expect(new Set(events.map((e) => e.logStreamName)).size).toBeGreaterThanOrEqual(2);
      const groups = await engine.logs.describeLogGroups({ prefix: '/aws/lambda/' });
      expect(groups.map((g) => g.logGroupName)).toEqual([group]);
      let reports = 0;
      for (const stream of streams) {
        const { events: lines } = await engine.logs.getLogEvents({
          logGroupName: group,
          logStreamName: stream.logStreamName,
          startFromHead: true,
        });
        reports += lines.filter((l) => l.message.startsWith('REPORT')).length;
      }
      expect(reports).toBe(3);
    }
  }, 120_000);
});
