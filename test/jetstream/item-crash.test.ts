/**
 * A table item write killed between its two halves on the cluster: a child engine
 * (table-process.ts) writes the item and is SIGKILLed before its change record is appended, or
 * after the append and before the item's value drops the change it owed. The item is stored
 * either way; the change appears exactly once on the table's stream when the child opens again
 * on the same directory, or when another engine writes the item next. Waits are on child
 * messages and exits, each with a bound.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { changes } from '../tables/helpers.js';
import { type Cluster, startCluster } from './cluster.js';
import type { TableChildMessage, TableChildRequest } from './table-process.js';
import { type EngineChild, killAll, spawnEngineChild, Wakeups } from './wait.js';

vi.setConfig({ testTimeout: 180_000 });
const CHILD = fileURLToPath(new URL('./table-process.ts', import.meta.url));
const BOUND = 60_000;

let cluster: Cluster;
let dir: string;
const engines: Engine[] = [];
const children: Array<EngineChild<TableChildMessage>> = [];
const wakeups = new Wakeups();

beforeAll(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'lambdalite-item-crash-'));
}, BOUND);
afterAll(async () => {
  await killAll(children);
  for (const engine of engines) await engine.close().catch(() => undefined);
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, BOUND);

interface Scene {
  readonly prefix: string;
  readonly location: string;
  readonly engine: Engine;
  readonly streamArn: string;
}

/** A fresh prefix and directory, the test's engine on it, and a table with a stream. */
async function scene(pendingWaitMs = 5000): Promise<Scene> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const engine = await createEngine({
    backend: jetstream({ servers: cluster.servers, prefix, replicas: 1, tableItems: { pendingWaitMs } }),
  });
  engines.push(engine);
  const { streamArn } = await engine.tables.create('orders', {
    partitionKey: 'id',
    streamViewType: 'NEW_AND_OLD_IMAGES',
  });
  return { prefix, location: join(dir, prefix), engine, streamArn: streamArn ?? '' };
}

/** Starts the child engine on the scene's directory and waits until it is open. */
async function child(
  s: Scene,
  fault: 'before-append' | 'after-append' | 'none',
): Promise<EngineChild<TableChildMessage>> {
  const started = spawnEngineChild<TableChildMessage>(
    CHILD,
    { NATS_SERVERS: cluster.servers.join(','), PREFIX: s.prefix, LOCATION: s.location, FAULT: fault },
    wakeups,
  );
  children.push(started);
  await wakeups.until(
    `the child (${fault}) to open`,
    () => started.messages.some((m) => m.type === 'ready') || started.process.exitCode !== null,
    BOUND,
  );
  expect(started.process.exitCode).toBeNull();
  return started;
}

/** Has the child put `item` and SIGKILLs it where its fault stopped the write. */
async function killMidWrite(
  started: EngineChild<TableChildMessage>,
  item: Record<string, unknown>,
): Promise<void> {
  const request: TableChildRequest = { type: 'put', table: 'orders', item };
  started.process.send(request);
  await wakeups.until(
    'the child to stop in the middle of its write',
    () => started.messages.some((m) => m.type === 'stalled'),
    BOUND,
    () => JSON.stringify(started.messages),
  );
  started.process.kill('SIGKILL');
  await started.exited;
}

async function closeChild(started: EngineChild<TableChildMessage>): Promise<void> {
  started.process.send({ type: 'stop' } satisfies TableChildRequest);
  await started.exited;
}

const summary = (records: Awaited<ReturnType<typeof changes>>) =>
  records.map((r) => [r.eventName, r.dynamodb.OldImage?.v, r.dynamodb.NewImage?.v]);

describe('a table item write killed between the item and its change record', () => {
  it('appends the change once when the process opens again, killed before the append', async () => {
    const s = await scene();
    await killMidWrite(await child(s, 'before-append'), { id: 'o1', v: 1 });
    // The item is written (the commit point), its record not yet appended.
    expect(await s.engine.tables.getItem('orders', { id: 'o1' })).toEqual({ id: 'o1', v: 1 });
    expect(await changes(s.engine, s.streamArn)).toEqual([]);

    await closeChild(await child(s, 'none'));
    expect(summary(await changes(s.engine, s.streamArn))).toEqual([['INSERT', undefined, { N: '1' }]]);
    await s.engine.tables.updateItem('orders', { id: 'o1' }, { set: { v: 2 } });
    expect(summary(await changes(s.engine, s.streamArn))).toEqual([
      ['INSERT', undefined, { N: '1' }],
      ['MODIFY', { N: '1' }, { N: '2' }],
    ]);
  });

  it('does not append the change again when the process opens again, killed after the append', async () => {
    const s = await scene();
    await killMidWrite(await child(s, 'after-append'), { id: 'o2', v: 1 });
    expect(summary(await changes(s.engine, s.streamArn))).toEqual([['INSERT', undefined, { N: '1' }]]);

    await closeChild(await child(s, 'none'));
    await s.engine.tables.updateItem('orders', { id: 'o2' }, { set: { v: 2 } });
    expect(summary(await changes(s.engine, s.streamArn))).toEqual([
      ['INSERT', undefined, { N: '1' }],
      ['MODIFY', { N: '1' }, { N: '2' }],
    ]);
  });

  it("appends the dead process's change before its own when another engine writes the item next", async () => {
    const s = await scene(200);
    await killMidWrite(await child(s, 'before-append'), { id: 'o3', v: 1 });
    // The child never comes back: the test's engine waits its 200 ms for the write to finish,
    // then takes the owed change over and appends it before the record of its own write.
    await s.engine.tables.updateItem('orders', { id: 'o3' }, { set: { v: 2 } });
    expect(summary(await changes(s.engine, s.streamArn))).toEqual([
      ['INSERT', undefined, { N: '1' }],
      ['MODIFY', { N: '1' }, { N: '2' }],
    ]);
  });

  it("appends each of a dead process's changes once when two engines write the items next at the same moment", async () => {
    const s = await scene(200);
    const other = await createEngine({
      backend: jetstream({
        servers: cluster.servers,
        prefix: s.prefix,
        replicas: 1,
        tableItems: { pendingWaitMs: 200 },
      }),
    });
    engines.push(other);
    const ids = Array.from({ length: 8 }, (_, n) => `m${n}`);
    const started = await child(s, 'before-append');
    for (const id of ids)
      started.process.send({ type: 'put', table: 'orders', item: { id, v: 1 } } satisfies TableChildRequest);
    await wakeups.until(
      'every write of the child to stop before its append',
      () => started.messages.filter((m) => m.type === 'stalled').length === ids.length,
      BOUND,
      () => JSON.stringify(started.messages),
    );
    started.process.kill('SIGKILL');
    await started.exited;
    // Both engines find each owed change, wait, and race to take it over: one takes it, the
    // other reads the item again after it.
    await Promise.all(
      ids.flatMap((id) => [
        s.engine.tables.updateItem('orders', { id }, { set: { a: 1 } }),
        other.tables.updateItem('orders', { id }, { set: { b: 1 } }),
      ]),
    );
    const records = await changes(s.engine, s.streamArn);
    for (const id of ids) {
      const mine = records.filter(
        (r) => JSON.stringify(r.dynamodb.Keys) === JSON.stringify({ id: { S: id } }),
      );
      expect(mine.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY']);
      expect(mine[0]?.dynamodb.NewImage).toEqual({ id: { S: id }, v: { N: '1' } });
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]?.dynamodb.OldImage).toEqual(mine[i - 1]?.dynamodb.NewImage);
      expect(await other.tables.getItem('orders', { id })).toEqual({ id, v: 1, a: 1, b: 1 });
    }
  });
});
