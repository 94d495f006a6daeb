import { describe, expect, it } from 'vitest';
import {
  apply,
  type Engine,
  formatPlan,
  type PipelineSpec,
  type Plan,
  type PlanAction,
  STATE_TABLE,
} from '../../src/index.js';
import { firstMatch, openEngine } from '../helpers/engines.js';
import { demoPipeline, recordingEngine } from './helpers.js';

const actions = (plan: Plan): Map<string, PlanAction> =>
  new Map(plan.steps.map((s) => [`${s.kind} ${s.id}`, s.action]));

const FEED_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/demo-feed';

async function putAndAwaitItem(engine: Engine, key: string): Promise<void> {
  const indexed = firstMatch(
    engine.events$,
    (e) => e.type === 'table.itemChanged' && e.tableName === 'demo-index',
    30_000,
  );
  await engine.buckets.putObject('demo-uploads', key, 'three little words');
  await indexed;
}

describe('apply: pipeline files', () => {
  it('creates every declared resource, and the pipeline runs: an object put ends as a table item', async () => {
    const engine = await openEngine();
    const plan = await apply(engine, await demoPipeline());
    expect(plan.applied).toBe(true);
    expect([...actions(plan).values()].every((a) => a === 'create')).toBe(true);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'role',
      'role',
      'bucket',
      'stream',
      'table',
      'function',
      'function',
      'permission',
      'eventInvokeConfig',
      'mapping',
    ]);
    expect((await engine.streams.describe('demo-feed')).openShardCount).toBe(2);
    expect((await engine.functions.getEventInvokeConfig('ingest')).maximumEventAgeSec).toBe(3600);

    await putAndAwaitItem(engine, 'notes/monday.txt');
    const item = await engine.tables.getItem('demo-index', { folder: 'notes', key: 'notes/monday.txt' });
    expect(item).toMatchObject({ words: 3 });
  }, 60_000);

  it('re-applying an unchanged spec plans nothing and calls no writing engine method', async () => {
    const engine = await openEngine();
    await apply(engine, await demoPipeline());
    const recorder = recordingEngine(engine);
    const events: string[] = [];
    const sub = engine.events$.subscribe((e) => events.push(e.type));
    const plan = await apply(recorder.engine, await demoPipeline());
    sub.unsubscribe();

    expect(plan.applied).toBe(false);
    expect(new Set(actions(plan).values())).toEqual(new Set(['unchanged']));
    expect(recorder.calls.length).toBeGreaterThan(0); // it did read the engine
    expect(recorder.writes()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('updates in place what can change in place, and only that', async () => {
    const engine = await openEngine();
    await apply(engine, await demoPipeline());
    const before = await engine.functions.get('index');
    const ingestBefore = await engine.functions.get('ingest');
    const changed = await demoPipeline((spec) => {
      const index = spec.functions!.find((f) => f.name === 'index')!;
      index.memoryMb = 256;
      index.environment = { INDEX_TABLE: 'demo-index', LOG: 'verbose' };
      spec.streams![0]!.retentionHours = 48;
      spec.mappings![0]!.batchSize = 50;
      spec.buckets![0]!.notifications!.lambdaFunctionConfigurations![0]!.filter = { suffix: '.md' };
      spec.roles![0]!.policies!.extra = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::demo-uploads' }],
      };
      spec.eventInvokeConfigs![0]!.maximumRetryAttempts = 0;
    });
    const recorder = recordingEngine(engine);
    const plan = await apply(recorder.engine, changed);

    const steps = new Map(plan.steps.map((s) => [`${s.kind} ${s.id}`, s]));
    expect(steps.get('function index')).toMatchObject({
      action: 'update',
      changes: ['memoryMb', 'environment'],
    });
    expect(steps.get('stream demo-feed')).toMatchObject({ action: 'update', changes: ['retentionHours'] });
    expect(steps.get(`mapping index <- ${FEED_ARN}`)).toMatchObject({
      action: 'update',
      changes: ['batchSize'],
    });
    expect(steps.get('bucket demo-uploads')).toMatchObject({ action: 'update', changes: ['notifications'] });
    expect(steps.get('role demo-ingest')).toMatchObject({ action: 'update', changes: ['policies.extra'] });
    expect(steps.get('eventInvokeConfig ingest')).toMatchObject({ action: 'update' });
    expect(steps.get('function ingest')?.action).toBe('unchanged');
    expect(recorder.writes().sort()).toEqual(
      [
        'buckets.putNotificationConfiguration',
        'functions.putEventInvokeConfig',
        'functions.update',
        'iam.putRolePolicy',
        'mappings.update',
        'streams.updateRetention',
      ].sort(),
    );

    const after = await engine.functions.get('index');
    expect(after.memorySize).toBe(256);
    expect(after.revisionId).not.toBe(before.revisionId);
    expect((await engine.functions.get('ingest')).revisionId).toBe(ingestBefore.revisionId);
    expect((await engine.streams.describe('demo-feed')).retentionPeriodHours).toBe(48);
    expect((await engine.mappings.list({ functionName: 'index' }))[0]?.batchSize).toBe(50);
    expect((await apply(engine, changed)).applied).toBe(false);
  });

  it('replaces a stream whose shard count changed, and the mapping reading it', async () => {
    const engine = await openEngine();
    await apply(engine, await demoPipeline());
    const [oldMapping] = await engine.mappings.list({ functionName: 'index' });
    const plan = await apply(
      engine,
      await demoPipeline((spec) => {
        spec.streams![0]!.shardCount = 3;
      }),
    );
    const steps = new Map(plan.steps.map((s) => [`${s.kind} ${s.id}`, s]));
    expect(steps.get('stream demo-feed')).toMatchObject({ action: 'replace', changes: ['shardCount'] });
    expect(steps.get(`mapping index <- ${FEED_ARN}`)?.action).toBe('replace');
    expect((await engine.streams.describe('demo-feed')).openShardCount).toBe(3);
    const mappings = await engine.mappings.list({ functionName: 'index' });
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.uuid).not.toBe(oldMapping!.uuid);
    expect(mappings[0]!.state).toBe('Enabled');
  });

  it('replaces a table whose key schema changed; a mapping on its stream follows the new stream', async () => {
    const engine = await openEngine();
    const withStream = (spec: PipelineSpec, sortKey: string) => {
      spec.tables![0] = { name: 'demo-index', partitionKey: 'folder', sortKey, streamViewType: 'NEW_IMAGE' };
      spec.mappings!.push({
        functionName: 'ingest',
        eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/demo-index/stream/*',
        startingPosition: 'LATEST',
        enabled: false,
      });
      spec.roles![0]!.policies!.table = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
      };
    };
    await apply(engine, await demoPipeline((spec) => withStream(spec, 'key')));
    const firstStream = (await engine.tables.describe('demo-index')).latestStreamArn;
    expect((await apply(engine, await demoPipeline((spec) => withStream(spec, 'key')))).applied).toBe(false);

    const plan = await apply(engine, await demoPipeline((spec) => withStream(spec, 'name')));
    const steps = new Map(plan.steps.map((s) => [`${s.kind} ${s.id}`, s]));
    expect(steps.get('table demo-index')).toMatchObject({ action: 'replace', changes: ['sortKey'] });
    const table = await engine.tables.describe('demo-index');
    expect(table.sortKey).toEqual({ name: 'name', type: 'S' });
    const [mapping] = await engine.mappings.list({ functionName: 'ingest' });
    expect(mapping?.eventSourceArn).toBe(table.latestStreamArn);
    expect(mapping?.eventSourceArn).not.toBe(firstStream);
  });

  it('deletes resources no longer declared only with prune, and never what apply did not make', async () => {
    const engine = await openEngine();
    await engine.buckets.create('made-by-hand');
    await apply(engine, await demoPipeline());
    const smaller = await demoPipeline((spec) => {
      spec.eventInvokeConfigs = [];
      spec.permissions = [];
      spec.buckets![0]!.notifications = undefined;
    });

    const kept = await apply(engine, smaller);
    expect(kept.retained).toEqual(
      expect.arrayContaining([
        { kind: 'permission', id: 'ingest/s3-demo-uploads' },
        { kind: 'eventInvokeConfig', id: 'ingest' },
      ]),
    );
    expect((await engine.functions.getPolicy('ingest')).Statement).toHaveLength(1);

    const pruned = await apply(engine, smaller, { prune: true });
    const steps = actions(pruned);
    expect(steps.get('permission ingest/s3-demo-uploads')).toBe('delete');
    expect(steps.get('eventInvokeConfig ingest')).toBe('delete');
    await expect(engine.functions.getPolicy('ingest')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    await expect(engine.functions.getEventInvokeConfig('ingest')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    expect((await engine.buckets.list()).map((b) => b.name)).toContain('made-by-hand');

    // Everything gone from the spec: all of it is pruned, dependents first.
    const empty = await apply(engine, {}, { prune: true });
    expect(empty.steps.every((s) => s.action === 'delete')).toBe(true);
    expect(empty.steps.map((s) => s.kind)).toEqual([
      'mapping',
      'bucket',
      'function',
      'function',
      'table',
      'stream',
      'role',
      'role',
    ]);
    expect(await engine.functions.list()).toEqual([]);
    expect((await engine.buckets.list()).map((b) => b.name)).toEqual(['made-by-hand']);
    expect(await engine.tables.list()).toEqual([STATE_TABLE]);
  });

  it('refuses to prune a bucket that still holds objects, before changing anything', async () => {
    const engine = await openEngine();
    await apply(engine, await demoPipeline());
    await engine.buckets.putObject('demo-uploads', 'keep.bin', 'x');
    const err = await apply(engine, {}, { prune: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ValidationError' });
    expect(String((err as Error).message)).toContain('bucket demo-uploads still holds objects');
    expect(await engine.functions.list()).toHaveLength(2);
    const dry = await apply(engine, {}, { prune: true, dryRun: true });
    expect(dry.steps.find((s) => s.kind === 'bucket')?.reason).toContain('still holds objects');
  });

  it('a dry run returns the plan and changes nothing', async () => {
    const engine = await openEngine();
    const events: string[] = [];
    const sub = engine.events$.subscribe((e) => events.push(e.type));
    const recorder = recordingEngine(engine);
    const plan = await apply(recorder.engine, await demoPipeline(), { dryRun: true });
    sub.unsubscribe();
    expect(plan).toMatchObject({ dryRun: true, applied: false });
    expect(plan.steps).toHaveLength(10);
    expect(recorder.writes()).toEqual([]);
    expect(events).toEqual([]);
    expect(await engine.functions.list()).toEqual([]);
    expect(await engine.tables.list()).toEqual([]);

    await apply(engine, await demoPipeline());
    const change = await apply(
      engine,
      await demoPipeline((spec) => {
        spec.streams![0]!.shardCount = 1;
      }),
      { dryRun: true },
    );
    expect(formatPlan(change)).toMatch(/-\/\+ replace +stream demo-feed \(shardCount\)/);
    expect(formatPlan(change)).toContain('dry run: nothing changed');
    expect((await engine.streams.describe('demo-feed')).openShardCount).toBe(2);
  });

  it('adopts resources that already exist with the declared settings, writing only its record', async () => {
    const engine = await openEngine();
    await engine.streams.create('demo-feed', { shardCount: 2 });
    const recorder = recordingEngine(engine);
    const plan = await apply(recorder.engine, { streams: [{ name: 'demo-feed', shardCount: 2 }] });
    expect(plan.steps).toEqual([{ action: 'unchanged', kind: 'stream', id: 'demo-feed', changes: [] }]);
    expect(recorder.writes()).toEqual(['tables.create', 'tables.putItem']);
    await apply(engine, {}, { prune: true });
    await expect(engine.streams.describe('demo-feed')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });
});
