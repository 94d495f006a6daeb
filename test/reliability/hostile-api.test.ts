/**
 * Hostile input over the engine's public methods (fast-check): random and hostile names, keys,
 * sizes, payloads, policies and options. Each call either succeeds or fails with a coded
 * LambdaliteError; a call that fails changes nothing (a snapshot of everything the public API
 * can list, taken before and after); no call hangs. FUZZ_SEED=... replays a run; FUZZ_RUNS=...
 * runs longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, ERROR_CODES, LambdaliteError } from '../../src/index.js';
import { FIXTURES } from '../helpers/functions.js';
import { fuzzEngine, fuzzSettings, hostile, snapshot } from './fuzz-kit.js';

const junk = fc.oneof(
  { weight: 3, arbitrary: hostile },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, -1, 0, 1.5, Number.NaN, 2 ** 53, [], {}) },
);
/** A valid value most of the time, else something hostile. */
const mostly = (...valid: unknown[]) =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: junk });
const options = fc.oneof(fc.constant(undefined), fc.dictionary(hostile, junk, { maxKeys: 4 }), junk);
const policy = fc.oneof(
  junk,
  fc.record({
    Version: mostly('2012-10-17'),
    Statement: fc.oneof(
      junk,
      fc.array(
        fc.record({
          Effect: mostly('Allow', 'Deny'),
          Action: mostly('*', 's3:*', ['a:b']),
          Resource: mostly('*', 'arn:aws:s3:::x'),
        }),
        { maxLength: 2 },
      ),
    ),
  }),
);

const BUCKET = mostly('fuzz-bucket', 'fuzz-bucket-2');
const STREAM = mostly('fuzz-stream');
const TABLE = mostly('fuzz-table');
const FN = mostly('fuzz-fn', 'fuzz-fn-2');
const ROLE = mostly('fuzz-role', 'fuzz-role-2');
const ROLE_ARN = mostly('arn:aws:iam::000000000000:role/fuzz-role');

type Call = { name: string; run: (engine: Engine) => Promise<unknown> };
const call = (
  name: string,
  args: fc.Arbitrary<unknown[]>,
  run: (engine: Engine, a: unknown[]) => Promise<unknown>,
) => args.map((a): Call => ({ name: `${name}(${fc.stringify(a)})`, run: (engine) => run(engine, a) }));
/** Calls a public method with arguments as generated (types deliberately ignored). */
const method = (target: (e: Engine) => object, key: string) => (engine: Engine, a: unknown[]) => {
  const object = target(engine) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return object[key]?.(...a) ?? Promise.reject(new Error(`no method ${key}`));
};
const b = (e: Engine) => e.buckets;
const s = (e: Engine) => e.streams;
const t = (e: Engine) => e.tables;
const f = (e: Engine) => e.functions;
const i = (e: Engine) => e.iam;
const m = (e: Engine) => e.mappings;
const q = (e: Engine) => e.asyncInvocations;

const CALLS = fc.oneof(
  call('buckets.create', fc.tuple(BUCKET), method(b, 'create')),
  call('buckets.delete', fc.tuple(BUCKET), method(b, 'delete')),
  call(
    'buckets.putObject',
    fc.tuple(BUCKET, hostile, mostly('body', Buffer.alloc(3)), options),
    method(b, 'putObject'),
  ),
  call('buckets.getObject', fc.tuple(BUCKET, hostile), method(b, 'getObject')),
  call('buckets.headObject', fc.tuple(BUCKET, hostile), method(b, 'headObject')),
  call('buckets.deleteObject', fc.tuple(BUCKET, hostile), method(b, 'deleteObject')),
  call('buckets.copyObject', fc.tuple(BUCKET, hostile, BUCKET, hostile), method(b, 'copyObject')),
  call('buckets.listObjects', fc.tuple(BUCKET, options), method(b, 'listObjects')),
  call(
    'buckets.putNotificationConfiguration',
    fc.tuple(
      BUCKET,
      fc.oneof(
        junk,
        fc.record({
          lambdaFunctionConfigurations: fc.oneof(
            junk,
            fc.array(
              fc.record({
                functionArn: FN,
                events: mostly(['s3:ObjectCreated:*'], ['s3:*']),
                filter: options,
              }),
              {
                maxLength: 2,
              },
            ),
          ),
        }),
      ),
    ),
    method(b, 'putNotificationConfiguration'),
  ),
  call('streams.create', fc.tuple(STREAM, options), method(s, 'create')),
  call('streams.delete', fc.tuple(STREAM), method(s, 'delete')),
  call('streams.describe', fc.tuple(STREAM), method(s, 'describe')),
  call(
    'streams.putRecord',
    fc.tuple(
      STREAM,
      fc.oneof(
        junk,
        fc.record({ partitionKey: hostile, data: mostly('d', Buffer.alloc(2)), explicitHashKey: junk }),
      ),
    ),
    method(s, 'putRecord'),
  ),
  call(
    'streams.putRecords',
    fc.tuple(
      STREAM,
      fc.oneof(junk, fc.array(fc.record({ partitionKey: hostile, data: mostly('d') }), { maxLength: 3 })),
    ),
    method(s, 'putRecords'),
  ),
  call(
    'streams.getShardIterator',
    fc.tuple(STREAM, mostly('shardId-000000000000'), options),
    method(s, 'getShardIterator'),
  ),
  call('streams.getRecords', fc.tuple(hostile, options), method(s, 'getRecords')),
  call('streams.splitShard', fc.tuple(STREAM, hostile, hostile), method(s, 'splitShard')),
  call('streams.mergeShards', fc.tuple(STREAM, hostile, hostile), method(s, 'mergeShards')),
  call('tables.create', fc.tuple(TABLE, options), method(t, 'create')),
  call(
    'tables.putItem',
    fc.tuple(
      TABLE,
      fc.oneof(junk, fc.dictionary(hostile, junk, { maxKeys: 3 }), fc.record({ pk: hostile, sk: hostile })),
    ),
    method(t, 'putItem'),
  ),
  call(
    'tables.getItem',
    fc.tuple(TABLE, fc.oneof(junk, fc.record({ pk: hostile, sk: hostile }))),
    method(t, 'getItem'),
  ),
  call(
    'tables.updateItem',
    fc.tuple(TABLE, fc.oneof(junk, fc.record({ pk: hostile, sk: hostile })), options),
    method(t, 'updateItem'),
  ),
  call(
    'tables.deleteItem',
    fc.tuple(TABLE, fc.oneof(junk, fc.record({ pk: hostile, sk: hostile }))),
    method(t, 'deleteItem'),
  ),
  call('tables.query', fc.tuple(TABLE, options), method(t, 'query')),
  call(
    'iam.createRole',
    fc.tuple(fc.oneof(junk, fc.record({ name: ROLE, assumeRolePolicy: policy }))),
    method(i, 'createRole'),
  ),
  call('iam.putRolePolicy', fc.tuple(ROLE, hostile, policy), method(i, 'putRolePolicy')),
  call('iam.getRole', fc.tuple(ROLE), method(i, 'getRole')),
  call('iam.deleteRole', fc.tuple(ROLE), method(i, 'deleteRole')),
  call('iam.deleteRolePolicy', fc.tuple(ROLE, hostile), method(i, 'deleteRolePolicy')),
  call('iam.updateAssumeRolePolicy', fc.tuple(ROLE, policy), method(i, 'updateAssumeRolePolicy')),
  call(
    'iam.simulate',
    fc.tuple(
      fc.oneof(
        junk,
        fc.record({
          policies: fc.oneof(junk, fc.array(policy, { maxLength: 2 })),
          action: hostile,
          resource: hostile,
          context: options,
        }),
      ),
    ),
    method(i, 'simulate'),
  ),
  call(
    'functions.create',
    fc.tuple(
      fc.oneof(
        junk,
        fc.record({
          name: FN,
          handler: mostly('faults.sawTimer', 'nope.nope'),
          code: fc.oneof(
            junk,
            fc.record({ directory: mostly(FIXTURES) }),
            fc.record({ file: hostile }),
            fc.record({ zipFile: junk }),
          ),
          role: ROLE_ARN,
          memoryMb: mostly(128, 192),
          timeoutSec: mostly(3),
          environment: fc.oneof(fc.constant(undefined), fc.dictionary(hostile, junk, { maxKeys: 3 })),
        }),
      ),
    ),
    method(f, 'create'),
  ),
  call('functions.update', fc.tuple(FN, options), method(f, 'update')),
  call('functions.get', fc.tuple(FN), method(f, 'get')),
  call('functions.delete', fc.tuple(FN), method(f, 'delete')),
  call(
    'functions.invoke',
    fc.tuple(FN, junk, fc.oneof(junk, fc.record({ invocationType: mostly('DryRun', 'Event') }))),
    method(f, 'invoke'),
  ),
  call(
    'functions.addPermission',
    fc.tuple(
      FN,
      fc.oneof(
        junk,
        fc.record({
          statementId: hostile,
          action: mostly('lambda:InvokeFunction'),
          principal: mostly('s3.amazonaws.com'),
          sourceArn: junk,
        }),
      ),
    ),
    method(f, 'addPermission'),
  ),
  call('functions.removePermission', fc.tuple(FN, hostile), method(f, 'removePermission')),
  call('functions.getPolicy', fc.tuple(FN), method(f, 'getPolicy')),
  call('asyncInvocations.putEventInvokeConfig', fc.tuple(FN, options), method(q, 'putEventInvokeConfig')),
  call('asyncInvocations.deadLetters', fc.tuple(FN), method(q, 'deadLetters')),
  call('asyncInvocations.redrive', fc.tuple(FN, junk), method(q, 'redrive')),
  call(
    'mappings.create',
    fc.tuple(
      fc.oneof(
        junk,
        fc.record({
          functionName: FN,
          eventSourceArn: mostly('arn:aws:kinesis:us-east-1:000000000000:stream/fuzz-stream'),
          startingPosition: mostly('LATEST', 'TRIM_HORIZON'),
          batchSize: junk,
        }),
      ),
    ),
    method(m, 'create'),
  ),
  call('mappings.get', fc.tuple(hostile), method(m, 'get')),
  call('mappings.update', fc.tuple(hostile, options), method(m, 'update')),
  call('mappings.delete', fc.tuple(hostile), method(m, 'delete')),
  call('mappings.list', fc.tuple(options), method(m, 'list')),
);

async function settle<T>(promise: Promise<T>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  return promise.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe('hostile input over every public method', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await fuzzEngine();
  });
  afterAll(() => engine.close());

  it('answers each call with a result or a coded LambdaliteError, and a refused call changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(CALLS, async (c) => {
        const before = await snapshot(engine);
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${c.name} hung`)), 20_000);
        });
        const outcome = await Promise.race([
          settle(Promise.resolve().then(() => c.run(engine))),
          hung,
        ]).finally(() => clearTimeout(timer));
        if (outcome.ok) return;
        const { error } = outcome;
        if (!(error instanceof LambdaliteError) || !(error.code in ERROR_CODES)) {
          throw new Error(
            `${c.name} failed with an uncoded error: ${error instanceof Error ? error.stack : String(error)}`,
          );
        }
        expect(await snapshot(engine), `${c.name} was refused (${error.code}) yet changed the store`).toEqual(
          before,
        );
      }),
      fuzzSettings(400),
    );
    expect(engine.status).toBe('open');
  }, 240_000);
});
