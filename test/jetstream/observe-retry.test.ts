/**
 * The metrics and logs outbox retries while the engine runs: an engine whose NATS user may not
 * publish to the feeds stores a minute and lines, both publishes are refused; the cluster then
 * allows them (a configuration reload, the connection stays) and, without reopening, the engine
 * publishes what its outbox holds: another engine counts every invocation and line exactly
 * once. Waits are on engine events and on the feeds' own messages, each with a bound.
 */
import { type ConsumerMessages, jetstream as jetstreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine, ManualClock, type MetricDimension } from '../../src/index.js';
import { firstMatch } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { type Cluster, startCluster } from './cluster.js';

const PREFIX = 'retry';
const T0 = Date.UTC(2026, 0, 1);
const FN: MetricDimension[] = [{ name: 'FunctionName', value: 'echo' }];
const GROUP = '/aws/lambda/echo';
const BOUND = 60_000;

/** `mute` may do everything but publish to the metrics and logs feeds, until `ALLOWED`. */
const users = (muted: boolean): string => `
authorization {
  users = [
    { user: "open", password: "open" }
    { user: "mute", password: "mute", permissions: { publish: { allow: [">"]${
      muted ? `, deny: ["${PREFIX}_metrics.>", "${PREFIX}_logs.>"]` : ''
    } } } }
  ]
}
no_auth_user: "open"
`;

let cluster: Cluster;
let nc: NatsConnection | undefined;
const engines: Engine[] = [];
const feeds: ConsumerMessages[] = [];
/** The message id of every payload the feed streams stored, in arrival order. */
const stored: string[] = [];

beforeAll(async () => {
  cluster = await startCluster({ config: users(true) });
  nc = await connect({ servers: cluster.servers });
}, BOUND);
afterAll(async () => {
  for (const messages of feeds) messages.stop();
  for (const engine of engines) await engine.close().catch(() => undefined);
  await nc?.close();
  await cluster?.stop();
}, BOUND);

async function open(user: 'open' | 'mute', clock: ManualClock): Promise<Engine> {
  const engine = await createEngine({
    clock,
    backend: jetstream({ servers: cluster.servers, prefix: PREFIX, connection: { user, pass: user } }),
  });
  engines.push(engine);
  return engine;
}

async function counts(engine: Engine): Promise<{ sum: number; starts: number; reports: number }> {
  const { datapoints } = await engine.metrics.getStatistics({
    metricName: 'Invocations',
    dimensions: FN,
    startTime: T0,
    endTime: T0 + 60_000,
    periodMs: 60_000,
    statistics: ['Sum'],
  });
  const lines = async (pattern: string): Promise<number> =>
    (await engine.logs.filter({ logGroupName: GROUP, filterPattern: pattern }).catch(() => ({ events: [] })))
      .events.length;
  return { sum: datapoints[0]?.sum ?? 0, starts: await lines('START'), reports: await lines('REPORT') };
}

/**
 * Resolves once `check` holds: checked now and after each message either feed stream stores
 * (the only way the reader's answer can change), bounded.
 */
async function untilFeedsShow(check: () => Promise<boolean>, ms: number): Promise<void> {
  const js = jetstreamClient(nc as NatsConnection);
  let wake: () => void = () => undefined;
  for (const stream of [`${PREFIX}_metrics`, `${PREFIX}_logs`]) {
    const messages = await (await js.consumers.get(stream)).consume();
    feeds.push(messages);
    void (async () => {
      for await (const m of messages) {
        stored.push(m.headers?.get('Nats-Msg-Id') ?? '');
        wake();
      }
    })();
  }
  const deadline = Date.now() + ms;
  for (;;) {
    const arrived = new Promise<void>((resolve) => {
      wake = resolve;
    });
    if (await check()) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the feeds did not show the published data within ${ms} ms`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([arrived, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
}

describe('the metrics and logs outbox retries while the engine runs', () => {
  it('publishes a refused minute and refused lines once the cluster accepts them, without a reopen, exactly once', async () => {
    const reader = await open('open', new ManualClock(T0));
    await createFixture(reader, 'echo', 'gate.handler');
    const clock = new ManualClock(T0);
    const writer = await open('mute', clock);

    const refused = (type: 'metrics.flush.failed' | 'logs.error') =>
      firstMatch(writer.events$, (e) => e.type === type && /kept to publish/.test(e.message), BOUND);
    const metricsRefused = refused('metrics.flush.failed');
    const linesRefused = refused('logs.error');
    for (let n = 0; n < 3; n++) await writer.functions.invoke('echo', { n });
    // The minute closes on the engine clock: its rollup is stored, then its publish refused.
    clock.advance(60_000);
    await Promise.all([metricsRefused, linesRefused]);
    expect(await counts(reader)).toEqual({ sum: 0, starts: 0, reports: 0 });
    await expectCode(reader.logs.filter({ logGroupName: GROUP }), 'ResourceNotFoundException');

    await cluster.reload(users(false));
    await untilFeedsShow(async () => {
      const { sum, starts, reports } = await counts(reader);
      return sum >= 3 && starts >= 3 && reports >= 3;
    }, BOUND);
    expect(await counts(reader)).toEqual({ sum: 3, starts: 3, reports: 3 });
    // Each payload stored once, under its outbox entry's id.
    expect(stored.length).toBeGreaterThan(0);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.every((id) => id !== '')).toBe(true);
  }, 180_000);
});
