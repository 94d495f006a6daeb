/**
 * Configuration shared between engine processes on one JetStream cluster: functions (their
 * configuration, zip code and resource policies) and roles created on one engine are served
 * and enforced by the others, updates and deletes reach them, a create race has one winner,
 * and an engine started later sees everything. Engines run in the test process, each with its
 * own in-memory LevelDB, so nothing they share can come from anywhere but the cluster. Waits are
 * on the stores' change notifications (after the engine took them), each with a bound.
 */
import { randomUUID } from 'node:crypto';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import type { Engine, EngineOptions } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { type Cluster, startCluster } from './cluster.js';
import { changeSeen, openSharedEngine, type SharedEngine } from './shared-engines.js';

const V = '2012-10-17';
let cluster: Cluster;
const opened: Engine[] = [];

beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(async () => {
  for (const engine of opened.splice(0)) await engine.close().catch(() => undefined);
  await cluster?.stop();
});

/** An engine on the cluster under `prefix` (one "application"), closed after the file. */
async function one(prefix: string, engine: EngineOptions = {}): Promise<SharedEngine> {
  const shared = await openSharedEngine({ servers: cluster.servers, prefix, engine });
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

describe('an engine started later', () => {
  it('sees every function, policy and role created before it opened', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const role = await createRole(a.engine, 'exec');
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
    await a.engine.close();

    const late = await one(prefix);
    expect((await late.engine.iam.listRoles()).map((r) => r.roleName)).toEqual(['exec']);
    expect((await late.engine.functions.getPolicy('early')).Statement.map((s) => s.Sid)).toEqual(['sqs']);
    expect((await late.engine.functions.invoke('early', {})).payload).toBe('e');
  });
});
