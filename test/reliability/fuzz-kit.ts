/**
 * What the hostile-input properties share: the hostile strings, the replay settings
 * (FUZZ_SEED, FUZZ_RUNS) and a snapshot of everything the public API can list, so a refused
 * call can be shown to have changed nothing.
 */
import fc from 'fast-check';
import { createEngine, type Engine } from '../../src/index.js';
import { FIXTURES } from '../helpers/functions.js';
import { ensureLogsRole, ensureStreamReaderRole } from '../helpers/iam.js';

export const SPECIALS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../x',
  '../../etc/passwd',
  '/abs',
  'a\0b',
  '\ud800',
  '\udc00x',
  '',
  ' ',
  '*',
  '?',
  ['$', '{aws:username}'].join(''),
  'x'.repeat(1100),
  'é'.repeat(600),
  'arn:aws:lambda:us-east-1:000000000000:function:fuzz-fn',
  'arn:aws:s3:::fuzz-bucket',
];

export const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** fast-check's run settings: FUZZ_SEED=... replays a printed failure, FUZZ_RUNS=... runs longer. */
export function fuzzSettings(defaultRuns: number): { numRuns: number; seed?: number } {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: Number(process.env.FUZZ_RUNS ?? defaultRuns), ...(seed === undefined ? {} : { seed }) };
}

const orNothing = <T>(p: Promise<T>): Promise<T | string> =>
  p.catch((e: unknown) => `error ${(e as { code?: string }).code}`);

/** Everything the public API can list, as one comparable value. */
export async function snapshot(engine: Engine): Promise<unknown> {
  const buckets = [];
  for (const { name } of await engine.buckets.list()) {
    const objects = (await engine.buckets.listObjects(name, { maxKeys: 1000 })).contents.map((o) => [
      o.key,
      o.eTag,
    ]);
    buckets.push([name, objects, await engine.buckets.getNotificationConfiguration(name)]);
  }
  const streams = [];
  for (const { streamName } of await engine.streams.list()) {
    const d = await engine.streams.describe(streamName);
    const records = [];
    for (const shard of d.shards) {
      const it = await engine.streams.getShardIterator(streamName, shard.shardId, { type: 'TRIM_HORIZON' });
      records.push(
        (await engine.streams.getRecords(it, { limit: 10_000 })).records.map((r) => r.sequenceNumber),
      );
    }
    streams.push([streamName, d.shards, d.retentionPeriodHours, records]);
  }
  const tables = [];
  for (const name of await engine.tables.list()) {
    tables.push([name, await engine.tables.describe(name)]);
  }
  const functions = [];
  for (const fn of await engine.functions.list()) {
    functions.push([
      fn,
      await orNothing(engine.functions.getPolicy(fn.functionName)),
      await orNothing(engine.asyncInvocations.getEventInvokeConfig(fn.functionName)),
    ]);
  }
  const roles = [];
  for (const role of await engine.iam.listRoles()) {
    const names = await engine.iam.listRolePolicies(role.roleName);
    roles.push([role, await Promise.all(names.map((n) => engine.iam.getRolePolicy(role.roleName, n)))]);
  }
  return { buckets, streams, tables, functions, roles, mappings: await engine.mappings.list() };
}

/** An in-memory engine holding one of each resource the properties name (`fuzz-*`). */
export async function fuzzEngine(): Promise<Engine> {
  const engine = await createEngine();
  await ensureLogsRole(engine, 'fuzz-role');
  await ensureStreamReaderRole(engine, 'fuzz-reader');
  await engine.buckets.create('fuzz-bucket');
  await engine.buckets.putObject('fuzz-bucket', 'key', 'body');
  await engine.streams.create('fuzz-stream');
  await engine.tables.create('fuzz-table', {
    partitionKey: 'pk',
    sortKey: 'sk',
    streamViewType: 'NEW_IMAGE',
  });
  await engine.functions.create({
    name: 'fuzz-fn',
    handler: 'faults.sawTimer',
    code: { directory: FIXTURES },
    role: 'arn:aws:iam::000000000000:role/fuzz-role',
  });
  return engine;
}
