/**
 * The metrics and logs outbox: what a process stored, it publishes to the other processes even
 * when it was killed between storing and publishing. A child engine whose NATS user may not
 * publish to the feeds stores a minute and lines, sees both publishes refused and is SIGKILLed;
 * opened again (allowed now) on the same directory, it publishes them from its outbox, and the
 * test's engine counts every invocation and line exactly once. Waits are on child messages, each
 * with a bound.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { JetStreamFeed } from '../../src/backends/jetstream/observe-feed.js';
import { createEngine, type Engine, ManualClock, type MetricDimension } from '../../src/index.js';
import { Storage } from '../../src/storage/storage.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { type Cluster, startCluster } from './cluster.js';
import type { ObserveChildMessage, ObserveChildRequest } from './observe-process.js';
import { type EngineChild, killAll, spawnEngineChild, Wakeups } from './wait.js';

const CHILD = fileURLToPath(new URL('./observe-process.ts', import.meta.url));
/** The child's engines' prefix (a permission names whole subject tokens). */
const PREFIX = 'outbox';
const T0 = Date.UTC(2026, 0, 1);
const FN: MetricDimension[] = [{ name: 'FunctionName', value: 'echo' }];
const GROUP = '/aws/lambda/echo';
const BOUND = 60_000;

/** `mute` may do everything but publish to the metrics and logs feeds. */
const USERS = `
authorization {
  users = [
    { user: "open", password: "open" }
    { user: "mute", password: "mute", permissions: { publish: { allow: [">"], deny: ["${PREFIX}_metrics.>", "${PREFIX}_logs.>"] } } }
  ]
}
no_auth_user: "open"
`;

let cluster: Cluster;
let dir: string;
const engines: Engine[] = [];
const children: Array<EngineChild<ObserveChildMessage>> = [];
const wakeups = new Wakeups();

beforeAll(async () => {
  cluster = await startCluster({ config: USERS });
  dir = mkdtempSync(join(tmpdir(), 'lambdalite-outbox-'));
}, BOUND);
afterAll(async () => {
  await killAll(children);
  for (const engine of engines) await engine.close().catch(() => undefined);
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function spawnChild(user: 'mute' | 'open', location: string): EngineChild<ObserveChildMessage> {
  const child = spawnEngineChild<ObserveChildMessage>(
    CHILD,
    {
      NATS_SERVERS: cluster.servers.join(','),
      NATS_USER: user,
      PREFIX,
      LOCATION: location,
      T0: String(T0),
    },
    wakeups,
  );
  children.push(child);
  return child;
}

function tell(child: EngineChild<ObserveChildMessage>, request: ObserveChildRequest): void {
  child.process.send(request);
}

async function invocations(engine: Engine) {
  const { datapoints } = await engine.metrics.getStatistics({
    metricName: 'Invocations',
    dimensions: FN,
    startTime: T0,
    endTime: T0 + 60_000,
    periodMs: 60_000,
    statistics: ['Sum', 'SampleCount'],
  });
  return datapoints;
}

describe('the metrics and logs outbox on JetStream', () => {
  it('publishes what a process stored before it was killed when it opens again, exactly once', async () => {
    const reader = await createEngine({
      clock: new ManualClock(T0),
      backend: jetstream({ servers: cluster.servers, prefix: PREFIX }),
    });
    engines.push(reader);
    await createFixture(reader, 'echo', 'gate.handler');
    const location = join(dir, 'child');

    const first = spawnChild('mute', location);
    await wakeups.until('the child ready', () => first.messages.some((m) => m.type === 'ready'), BOUND);
    tell(first, { type: 'invoke', count: 3 });
    const refused = (kind: string): boolean =>
      first.messages.some(
        (m) => m.type === 'unpublished' && m.kind === kind && /kept to publish/.test(m.message),
      );
    // Each is reported after its batch is stored and its publish failed: the window a kill -9
    // between the two would hit.
    await wakeups.until(
      'both publishes refused',
      () => refused('metrics') && refused('logs'),
      BOUND,
      () => JSON.stringify(first.messages),
    );
    first.process.kill('SIGKILL');
    await first.exited;
    // Nothing of the child's reached the cluster.
    expect(await invocations(reader)).toEqual([]);
    await expectCode(reader.logs.filter({ logGroupName: GROUP }), 'ResourceNotFoundException');

    const again = spawnChild('open', location);
    await wakeups.until(
      'the child opened again',
      () => again.messages.some((m) => m.type === 'ready'),
      BOUND,
    );
    expect(await invocations(reader)).toMatchObject([{ timestamp: T0, sum: 3, sampleCount: 3 }]);
    const { events } = await reader.logs.filter({ logGroupName: GROUP, filterPattern: 'START' });
    expect(events).toHaveLength(3);
    const { events: reports } = await reader.logs.filter({ logGroupName: GROUP, filterPattern: 'REPORT' });
    expect(reports).toHaveLength(3);
    tell(again, { type: 'stop' });
    await again.exited;
  }, 180_000);

  it(
    'stores a payload whose publish was acknowledged before the outbox entry was removed once',
    async () => {
      const prefix = `o${randomUUID().slice(0, 8)}`;
      const nc = await connect({ servers: cluster.servers });
      const storage = await Storage.open();
      try {
        const js = jetstreamClient(nc);
        const jsm = await jetstreamManager(nc);
        const options = {
          prefix,
          replicas: 1,
          kind: 'metrics',
          member: 'm1',
          maxAgeMs: 86_400_000,
          catchUpMs: BOUND,
        };
        const feed = new JetStreamFeed(js, jsm, storage, options);
        // More than one replay group (64).
        const staged = feed.stage(Array.from({ length: 70 }, (_, i) => new TextEncoder().encode(`p${i}`)));
        await storage.batch(staged.ops);
        await staged.send();
        // A kill after the cluster acknowledged and before the delete leaves the entries there.
        await storage.batch(staged.ops);
        const reopened = new JetStreamFeed(js, jsm, storage, options);
        expect(await reopened.replay()).toBe(70);
        const info = await jsm.streams.info(`${prefix}_metrics`);
        expect(info.state.messages).toBe(70);
        // Acknowledged now: the outbox is empty.
        expect(await reopened.replay()).toBe(0);
      } finally {
        await storage.close();
        await nc.close();
      }
    },
    BOUND,
  );
});
