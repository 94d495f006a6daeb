/**
 * The wake-up backstop: a reader engine whose server permissions drop every wake-up notice (its
 * user may not subscribe to them) still delivers another engine's appends, found by the periodic
 * check of the streams it reads.
 */
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { firstMatch } from '../helpers/engines.js';
import { expectCodeSync } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { ensureStreamReaderRole } from '../helpers/iam.js';
import { type Cluster, startCluster } from './cluster.js';

/** The file's engines' prefix (a permission names whole subject tokens). */
const PREFIX = 'quiet';

/** `deaf` may do everything but receive wake-up notices; connections without a user are `open`. */
const USERS = `
authorization {
  users = [
    { user: "open", password: "open" }
    { user: "deaf", password: "deaf", permissions: { subscribe: { allow: [">"], deny: ["${PREFIX}_wake.>"] } } }
  ]
}
no_auth_user: "open"
`;

let cluster: Cluster;
const engines: Engine[] = [];
beforeAll(async () => {
  cluster = await startCluster({ config: USERS });
}, 60_000);
afterAll(async () => {
  for (const engine of engines) await engine.close().catch(() => undefined);
  await cluster?.stop();
});

describe('the wake-up backstop', () => {
  it('refuses a wakeCheckMs that is not an integer of at least 50, naming it', () => {
    for (const wakeCheckMs of [0, 49, 1.5]) {
      expectCodeSync(
        () => jetstream({ servers: 'nats://127.0.0.1:4222', wakeCheckMs }),
        'InvalidArgument',
        `options.wakeCheckMs must be an integer of at least 50, got ${wakeCheckMs}`,
      );
    }
  });

  it('delivers an append whose wake-up notice never arrived, within the check interval', async () => {
    const prefix = PREFIX;
    // The notices are really dropped for the deaf user: its subscription is refused.
    const probe = await connect({ servers: cluster.servers, user: 'deaf', pass: 'deaf' });
    try {
      const refused = (async () => {
        for await (const status of probe.status()) if (status.type === 'error') return status.error;
        return new Error('closed');
      })();
      probe.subscribe(`${prefix}_wake.>`, { callback: () => undefined });
      expect(String(await firstSettled(refused, 10_000))).toMatch(/permission/i);
    } finally {
      await probe.close();
    }

    // Mappings are shared: the writer takes no shard, so the deaf reader must deliver them all.
    const writer = await createEngine({
      backend: jetstream({ servers: cluster.servers, prefix, pollMappings: false }),
    });
    engines.push(writer);
    const reader = await createEngine({
      backend: jetstream({
        servers: cluster.servers,
        prefix,
        wakeCheckMs: 200,
        connection: { user: 'deaf', pass: 'deaf' },
      }),
    });
    engines.push(reader);
    const { streamArn } = await writer.streams.create('quiet', { shardCount: 1 });
    const role = await ensureStreamReaderRole(reader, 'stream-reader');
    await createFixture(reader, 'sink', 'gate.handler', { role });
    const { uuid } = await reader.mappings.create({
      functionName: 'sink',
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
    });

    for (const n of [1, 2]) {
      const { sequenceNumber } = await writer.streams.putRecord('quiet', {
        partitionKey: 'k',
        data: `r${n}`,
      });
      // Without the backstop the reader's poller would wait for a notice that never comes.
      await firstMatch(
        reader.eventsOf$('mapping.checkpoint'),
        (e) => e.uuid === uuid && e.sequenceNumber === sequenceNumber,
        30_000,
      );
    }
  }, 120_000);
});

function firstSettled<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
