/**
 * Zip code objects on the cluster are collected once no function names them: kept while another
 * function shares the bytes, deleted after the update or delete that dropped the last reference,
 * swept at open when a crash left one behind, and never lost to a create that references them
 * while a collection runs (the pins of code-objects.ts, driven here step by step). Engines run in
 * the test process on one prefix, one replica; the sweep's wait polls the object, bounded.
 */
import { randomUUID } from 'node:crypto';
import { jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { zipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { CodeObjects } from '../../src/backends/jetstream/code-objects.js';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import type { Engine } from '../../src/index.js';
import { fileCluster, fileConnection, openSharedEngine } from './shared-engines.js';

vi.setConfig({ testTimeout: 120_000 });
const { cluster, opened } = fileCluster();
const nc = fileConnection(cluster);

const freshPrefix = (): string => `k${randomUUID().slice(0, 8)}`;
const answer = (text: string): Uint8Array =>
  zipSync({
    'index.mjs': new TextEncoder().encode(`export const handler = async () => ${JSON.stringify(text)};`),
  });

async function open(prefix: string): Promise<Engine> {
  const { engine } = await openSharedEngine({ servers: cluster().servers, prefix });
  opened.push(engine);
  return engine;
}

async function createRole(engine: Engine): Promise<string> {
  return (
    await engine.iam.createRole({
      name: 'exec',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    })
  ).arn;
}

/** Whether `<prefix>_code` holds a live object `name` (read from the stream leader). */
async function stored(prefix: string, name: string): Promise<boolean> {
  const os = await new Objm(nc()).open(`${prefix}_code`);
  const info = await os.info(name);
  return info !== null && !info.deleted;
}

async function codeObjects(prefix: string): Promise<CodeObjects> {
  const conn = nc();
  const os = await new Objm(conn).create(`${prefix}_code`, { replicas: 1 });
  return new CodeObjects(os, jetstreamClient(conn), await jetstreamManager(conn), `${prefix}_code`);
}

async function bytes(codes: CodeObjects): Promise<Buffer | undefined> {
  const found = await codes.get('sha');
  return found && Buffer.from(found);
}

describe('code objects on the cluster', () => {
  it('keeps shared code while a function names it, and deletes it after the last update or delete', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    const role = await createRole(a);
    const same = answer('same');
    const one = await a.functions.create({
      name: 'one',
      handler: 'index.handler',
      code: { zipFile: same },
      role,
    });
    const two = await a.functions.create({
      name: 'two',
      handler: 'index.handler',
      code: { zipFile: same },
      role,
    });
    const shared = one.codeSha256;
    expect(two.codeSha256).toBe(shared);
    expect(await stored(prefix, shared)).toBe(true);

    await a.functions.delete('one');
    expect(await stored(prefix, shared)).toBe(true);
    expect((await b.functions.invoke('two', {})).payload).toBe('same');

    const updated = await b.functions.update('two', { code: { zipFile: answer('new') } });
    expect(await stored(prefix, shared)).toBe(false);
    expect(await stored(prefix, updated.codeSha256)).toBe(true);
    expect((await b.functions.invoke('two', {})).payload).toBe('new');

    await a.functions.delete('two');
    expect(await stored(prefix, updated.codeSha256)).toBe(false);
  });

  it('sweeps at open the code objects no function names, and keeps the others', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix);
    const fn = await a.functions.create({
      name: 'kept',
      handler: 'index.handler',
      code: { zipFile: answer('kept') },
      role: await createRole(a),
    });
    // What a crash between storing the code and writing its configuration leaves.
    const codes = await codeObjects(prefix);
    await codes.pin('left-by-a-crash', answer('orphan'));
    expect(await stored(prefix, 'left-by-a-crash')).toBe(true);

    // A deletion is a description published on the store's meta subjects: looked at on each,
    // for at most 60 s (the subscription then ends).
    const descriptions = nc().subscribe(`$O.${prefix}_code.M.>`);
    const bound = setTimeout(() => descriptions.unsubscribe(), 60_000);
    try {
      await open(prefix);
      let swept = !(await stored(prefix, 'left-by-a-crash'));
      if (!swept) {
        for await (const _ of descriptions) {
          swept = !(await stored(prefix, 'left-by-a-crash'));
          if (swept) break;
        }
      }
      if (!swept) throw new Error('the unreferenced code object was not swept in 60 s');
    } finally {
      clearTimeout(bound);
      descriptions.unsubscribe();
    }
    expect(await stored(prefix, fn.codeSha256)).toBe(true);
    expect((await a.functions.invoke('kept', {})).payload).toBe('kept');
  });

  it('never loses code to a collection racing a create that references it', async () => {
    const codes = await codeObjects(freshPrefix());
    const zip = answer('raced');
    await codes.pin('sha', zip);

    // The collector read the object, then a create pinned it, wrote its configuration and
    // pinned it again, all before the collector's check, which (having looked too early) finds
    // no configuration: its deletion is refused, the description having moved on.
    const collected = await codes.collect('sha', async () => {
      await codes.pin('sha', zip);
      await codes.pin('sha', zip);
      return false;
    });
    expect(collected).toBe(false);
    expect(await bytes(codes)).toEqual(Buffer.from(zip));

    // The collector read and checked after the create's first pin, before its configuration:
    // it deletes, and the create's second pin (after its configuration) stores the code again.
    expect(await codes.collect('sha', async () => false)).toBe(true);
    expect(await codes.get('sha')).toBeUndefined();
    await codes.pin('sha', zip);
    expect(await bytes(codes)).toEqual(Buffer.from(zip));
  });
});
