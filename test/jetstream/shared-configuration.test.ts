/**
 * Configuration shared between engine processes on one JetStream cluster: functions (their
 * configuration, zip code and resource policies), roles and mappings created on one engine are
 * served, enforced and run by the others, updates and deletes reach them, a create race has
 * one winner, and an engine started later sees everything. Engines run in the test process, each with its
 * own in-memory LevelDB, so nothing they share can come from anywhere but the cluster. Waits are
 * on the stores' change notifications (after the engine took them), each with a bound.
 */
import { randomUUID } from 'node:crypto';
import { zipSync } from 'fflate';
import { merge } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import type { Engine, EngineOptions } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { ensureStreamReaderRole } from '../helpers/iam.js';
import { changeSeen, fileCluster, openSharedEngine, type SharedEngine } from './shared-engines.js';

const V = '2012-10-17';
// Each test opens engines on a 3-replica cluster and waits on the other engine's watch: generous
// bounds for a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });
/** Short leases, so a second engine gets its share of a mapping's shards within a second or two. */
const LEASE_MS = 1_500;
const { cluster, opened } = fileCluster();

/** An engine on the cluster under `prefix` (one "application"), closed after the file. */
async function one(prefix: string, engine: EngineOptions = {}): Promise<SharedEngine> {
  const shared = await openSharedEngine({ servers: cluster().servers, prefix, engine, leaseMs: LEASE_MS });
  opened.push(shared.engine);
  return shared;
}

/** Two engines sharing a fresh prefix. */
async function two(): Promise<[SharedEngine, SharedEngine]> {
  const prefix = freshPrefix();
  return [await one(prefix), await one(prefix)];
}

function freshPrefix(): string {
  return `c${randomUUID().slice(0, 8)}`;
}

function zipOf(source: string): Uint8Array {
  return zipSync({ 'index.mjs': new TextEncoder().encode(source) });
}

const answer = (text: string) => zipOf(`export const handler = async () => ${JSON.stringify(text)};`);

async function createRole(engine: Engine, name: string): Promise<string> {
  return (
    await engine.iam.createRole({
      name,
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    })
  ).arn;
}

describe('functions shared through the cluster', () => {
  it('serves on one engine a zip function created on another, with its role, code and configuration', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    const created = await a.engine.functions.create({
      name: 'hello',
      handler: 'index.handler',
      code: { zipFile: answer('from the cluster') },
      role,
      memoryMb: 256,
      reservedConcurrency: 3,
    });
    const seen = await b.engine.functions.get('hello');
    expect(seen).toEqual(created);
    expect((await b.engine.iam.getRole('exec')).arn).toBe(role);
    expect((await b.engine.functions.list()).map((f) => f.functionName)).toEqual(['hello']);
    expect((await b.engine.functions.invoke('hello', {})).payload).toBe('from the cluster');
  });

  it('retires the warm containers of a function updated elsewhere and serves the new code', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    await a.engine.functions.create({
      name: 'ver',
      handler: 'index.handler',
      code: { zipFile: answer('v1') },
      role,
    });
    expect((await b.engine.functions.invoke('ver', {})).payload).toBe('v1');

    const retired = nextEvent(
      b.engine,
      'function.container.stopped',
      (e) => e.functionName === 'ver' && e.reason === 'updated',
      20_000,
    );
    const updated = await a.engine.functions.update('ver', { code: { zipFile: answer('v2') } });
    await retired;
    expect((await b.engine.functions.get('ver')).codeSha256).toBe(updated.codeSha256);
    expect((await b.engine.functions.invoke('ver', {})).payload).toBe('v2');
  });

  it('stops serving a function deleted elsewhere', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    await a.engine.functions.create({
      name: 'gone',
      handler: 'index.handler',
      code: { zipFile: answer('x') },
      role,
    });
    expect((await b.engine.functions.invoke('gone', {})).payload).toBe('x');

    const retired = nextEvent(
      b.engine,
      'function.container.stopped',
      (e) => e.functionName === 'gone' && e.reason === 'deleted',
      20_000,
    );
    await a.engine.functions.delete('gone');
    await retired;
    await expect(b.engine.functions.invoke('gone', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    expect(await b.engine.functions.list()).toEqual([]);
  });

  it('answers a create race on two engines with one function and one ResourceConflictException', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    await b.engine.iam.getRole('exec');
    const results = await Promise.allSettled([
      a.engine.functions.create({
        name: 'race',
        handler: 'index.handler',
        code: { zipFile: answer('a') },
        role,
      }),
      b.engine.functions.create({
        name: 'race',
        handler: 'index.handler',
        code: { zipFile: answer('b') },
        role,
      }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'ResourceConflictException',
      message: 'Function already exist: race',
    });
    // Both engines serve the winner's code.
    const winner = (won[0] as PromiseFulfilledResult<{ codeSha256: string }>).value.codeSha256;
    expect((await a.engine.functions.get('race')).codeSha256).toBe(winner);
    expect((await b.engine.functions.get('race')).codeSha256).toBe(winner);
    const payload = results[0].status === 'fulfilled' ? 'a' : 'b';
    expect((await a.engine.functions.invoke('race', {})).payload).toBe(payload);
    expect((await b.engine.functions.invoke('race', {})).payload).toBe(payload);
  });

  it('shares resource policies: a permission added on one engine is listed and removed on the other', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    await a.engine.functions.create({
      name: 'pol',
      handler: 'index.handler',
      code: { zipFile: answer('p') },
      role,
    });
    await expect(b.engine.functions.getPolicy('pol')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });

    const added = changeSeen(b, (c) => c.store === 'functions' && c.kind === 'policy' && c.name === 'pol');
    await a.engine.functions.addPermission('pol', {
      statementId: 's3',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
    });
    await added;
    expect((await b.engine.functions.getPolicy('pol')).Statement.map((s) => s.Sid)).toEqual(['s3']);

    const removed = changeSeen(a, (c) => c.store === 'functions' && c.kind === 'policy' && c.name === 'pol');
    await b.engine.functions.removePermission('pol', 's3');
    await removed;
    await expect(a.engine.functions.getPolicy('pol')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('refuses a second create of a name another engine created, without a fresh read first', async () => {
    const [a, b] = await two();
    const role = await createRole(a.engine, 'exec');
    // b looks the name up first (caching "absent"), then a creates it.
    await expect(b.engine.functions.get('late')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    await a.engine.functions.create({
      name: 'late',
      handler: 'index.handler',
      code: { zipFile: answer('a') },
      role,
    });
    await expect(
      b.engine.functions.create({
        name: 'late',
        handler: 'index.handler',
        code: { zipFile: answer('b') },
        role,
      }),
    ).rejects.toMatchObject({ code: 'ResourceConflictException' });
    expect((await b.engine.functions.invoke('late', {})).payload).toBe('a');
  });
});

describe('roles shared through the cluster', () => {
  it('enforces on one engine a policy put and removed on another', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const callerArn = (
      await a.engine.iam.createRole({ name: 'caller', assumeRolePolicy: LAMBDA_TRUST_POLICY })
    ).arn;
    const exec = await createRole(a.engine, 'exec');
    await a.engine.functions.create({
      name: 'guarded',
      handler: 'index.handler',
      code: { zipFile: answer('ok') },
      role: exec,
    });
    const b = await one(prefix, { callerIdentity: { roleArn: callerArn } });
    await expect(b.engine.functions.invoke('guarded', {})).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });

    const granted = changeSeen(b, (c) => c.store === 'roles' && c.name === 'caller');
    await a.engine.iam.putRolePolicy('caller', 'invoke', {
      Version: V,
      Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }],
    });
    await granted;
    expect((await b.engine.functions.invoke('guarded', {})).payload).toBe('ok');
    expect(await b.engine.iam.listRolePolicies('caller')).toEqual(['invoke']);

    const revoked = changeSeen(b, (c) => c.store === 'roles' && c.name === 'caller');
    await a.engine.iam.deleteRolePolicy('caller', 'invoke');
    await revoked;
    await expect(b.engine.functions.invoke('guarded', {})).rejects.toMatchObject({
      code: 'AccessDeniedException',
    });
  });

  it('answers a createRole race on two engines with one role and one EntityAlreadyExists', async () => {
    const [a, b] = await two();
    const results = await Promise.allSettled(
      [a, b].map((s, i) =>
        s.engine.iam.createRole({
          name: 'Racer',
          description: `from ${i}`,
          assumeRolePolicy: LAMBDA_TRUST_POLICY,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'EntityAlreadyExists' });
    // IAM names are unique regardless of case, across engines too.
    await expect(
      b.engine.iam.createRole({ name: 'racer', assumeRolePolicy: LAMBDA_TRUST_POLICY }),
    ).rejects.toMatchObject({ code: 'EntityAlreadyExists' });
    const winner = (
      results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ roleId: string }>
    ).value.roleId;
    expect((await a.engine.iam.getRole('Racer')).roleId).toBe(winner);
    expect((await b.engine.iam.getRole('Racer')).roleId).toBe(winner);
  });

  it('keeps role names with characters KV keys refuse', async () => {
    const [a, b] = await two();
    await a.engine.iam.createRole({ name: 'svc.role_x@corp+1', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    expect((await b.engine.iam.listRoles()).map((r) => r.roleName)).toEqual(['svc.role_x@corp+1']);
  });
});

describe('mappings shared through the cluster', () => {
  it('runs on every engine a mapping created on one, and delivers every record written', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const stream = await a.engine.streams.create('orders', { shardCount: 2 });
    const role = await ensureStreamReaderRole(a.engine, 'reader');
    await a.engine.functions.create({
      name: 'counter',
      handler: 'index.handler',
      code: { zipFile: zipOf('export const handler = async (event) => event.Records.length;') },
      role,
    });
    const startedOnA = nextEvent(a.engine, 'mapping.shard.started', () => true, 60_000);
    const startedOnB = nextEvent(b.engine, 'mapping.shard.started', () => true, 60_000);
    const created = await a.engine.mappings.create({
      functionName: 'counter',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
    });
    // Both engines poll the mapping: each was handed a shard by the leases.
    await Promise.all([startedOnA, startedOnB]);
    expect((await b.engine.mappings.get(created.uuid)).functionArn).toBe(created.functionArn);
    expect((await b.engine.mappings.list()).map((m) => m.uuid)).toEqual([created.uuid]);

    // Every record written is delivered and checkpointed by one of them. (One engine writes: two
    // writers on one shard is not supported yet.)
    const last = new Map<string, bigint>();
    const checkpointed = new Map<string, bigint>();
    const caughtUp = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`checkpoints ${[...checkpointed]} short of ${[...last]}`)),
        30_000,
      );
      const sub = merge(a.engine.events$, b.engine.events$).subscribe((e) => {
        if (e.type !== 'mapping.checkpoint' || e.uuid !== created.uuid) return;
        const seq = BigInt(e.sequenceNumber);
        if (seq > (checkpointed.get(e.shardId) ?? -1n)) checkpointed.set(e.shardId, seq);
        if (last.size > 0 && [...last].every(([shard, seqn]) => (checkpointed.get(shard) ?? -1n) >= seqn)) {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve();
        }
      });
    });
    for (const round of [0, 1]) {
      const { records } = await a.engine.streams.putRecords(
        'orders',
        Array.from({ length: 20 }, (_, i) => ({ data: `r${round}.${i}`, partitionKey: `key-${i}` })),
      );
      for (const r of records) {
        if (!('shardId' in r) || r.shardId === undefined || r.sequenceNumber === undefined) continue;
        const seq = BigInt(r.sequenceNumber);
        if (seq > (last.get(r.shardId) ?? -1n)) last.set(r.shardId, seq);
      }
    }
    expect(last.size).toBe(2);
    await caughtUp;
  });

  it('stops a mapping disabled elsewhere and forgets one deleted elsewhere', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const stream = await a.engine.streams.create('events', { shardCount: 1 });
    const role = await ensureStreamReaderRole(a.engine, 'reader');
    await a.engine.functions.create({
      name: 'f',
      handler: 'index.handler',
      code: { zipFile: answer('x') },
      role,
    });
    const seenOnB = nextEvent(b.engine, 'mapping.state', (e) => e.state === 'Enabled', 20_000);
    const { uuid } = await a.engine.mappings.create({
      functionName: 'f',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST',
    });
    expect((await seenOnB).uuid).toBe(uuid);

    const disabledOnA = nextEvent(
      a.engine,
      'mapping.state',
      (e) => e.uuid === uuid && e.state === 'Disabled',
      20_000,
    );
    await b.engine.mappings.update(uuid, { enabled: false, batchSize: 7 });
    await disabledOnA;
    expect(await a.engine.mappings.get(uuid)).toMatchObject({ state: 'Disabled', batchSize: 7 });

    const deletedOnA = nextEvent(a.engine, 'mapping.deleted', (e) => e.uuid === uuid, 20_000);
    await b.engine.mappings.delete(uuid);
    await deletedOnA;
    expect(await a.engine.mappings.list()).toEqual([]);
    await expect(a.engine.mappings.get(uuid)).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });

  it('answers a mapping create race on two engines with one mapping and one ResourceConflictException', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const stream = await a.engine.streams.create('race', { shardCount: 1 });
    const role = await ensureStreamReaderRole(a.engine, 'reader');
    await a.engine.functions.create({
      name: 'f',
      handler: 'index.handler',
      code: { zipFile: answer('x') },
      role,
    });
    const input = {
      functionName: 'f',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST' as const,
    };
    const results = await Promise.allSettled([
      a.engine.mappings.create(input),
      b.engine.mappings.create(input),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled') as Array<
      PromiseFulfilledResult<{ uuid: string }>
    >;
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'ResourceConflictException' });
    expect(lost.reason.message).toContain(`existing mapping with UUID ${won[0]?.value.uuid}`);
    expect((await a.engine.mappings.list()).map((m) => m.uuid)).toEqual([won[0]?.value.uuid]);
    expect((await b.engine.mappings.list()).map((m) => m.uuid)).toEqual([won[0]?.value.uuid]);
  });
});

describe('an engine started later', () => {
  it('runs an enabled mapping, and its stream, created before it opened', async () => {
    const prefix = freshPrefix();
    // The creator polls no shard, so the one shard goes to the engine opened later.
    const a = await openSharedEngine({
      servers: cluster().servers,
      prefix,
      leaseMs: LEASE_MS,
      pollMappings: false,
    });
    opened.push(a.engine);
    const stream = await a.engine.streams.create('s', { shardCount: 1 });
    const role = await ensureStreamReaderRole(a.engine, 'reader');
    await a.engine.functions.create({
      name: 'f',
      handler: 'index.handler',
      code: { zipFile: answer('x') },
      role,
    });
    const { uuid } = await a.engine.mappings.create({
      functionName: 'f',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    const late = await one(prefix);
    const started = nextEvent(late.engine, 'mapping.shard.started', (e) => e.uuid === uuid, 60_000);
    await started;
    expect((await late.engine.mappings.get(uuid)).state).toBe('Enabled');
    expect((await a.engine.mappings.get(uuid)).state).toBe('Enabled');
  });

  it('sees every function, policy, role and mapping created before it opened', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const role = await ensureStreamReaderRole(a.engine, 'exec');
    await a.engine.functions.create({
      name: 'early',
      handler: 'index.handler',
      code: { zipFile: answer('e') },
      role,
    });
    await a.engine.functions.addPermission('early', {
      statementId: 'sqs',
      action: 'lambda:InvokeFunction',
      principal: 'sqs.amazonaws.com',
    });
    await a.engine.streams.create('later', { shardCount: 1 });
    const { uuid } = await a.engine.mappings.create({
      functionName: 'early',
      eventSourceArn: (await a.engine.streams.describe('later')).streamArn,
      startingPosition: 'TRIM_HORIZON',
      enabled: false,
    });
    await a.engine.close();

    const late = await one(prefix);
    expect((await late.engine.mappings.list()).map((m) => [m.uuid, m.state])).toEqual([[uuid, 'Disabled']]);
    expect((await late.engine.iam.listRoles()).map((r) => r.roleName)).toEqual(['exec']);
    expect((await late.engine.functions.getPolicy('early')).Statement.map((s) => s.Sid)).toEqual(['sqs']);
    expect((await late.engine.functions.invoke('early', {})).payload).toBe('e');
  });
});
