/**
 * Buckets, streams and tables. A bucket's notification configuration is updated in place (a
 * PUT replaces it whole); a stream's retention is updated in place, its shard count replaces it;
 * a table's keys or stream view type replace it (the engine, like DynamoDB for keys, cannot
 * change them). Replacing deletes the data.
 */
import type {
  LambdaFunctionConfigurationInput,
  NotificationConfiguration,
} from '../../buckets/notification-config.js';
import type { KeyAttribute } from '../../tables/model.js';
import { readOrUndefined } from '../engine.js';
import type { BucketSpec, StreamSpec, TableSpec } from '../types.js';
import type { Declared } from '../validate.js';
import {
  type Change,
  CREATE_PHASE,
  canonical,
  DELETE_PHASE,
  deleteIfPresent,
  differing,
  makeChange,
  type Op,
  type PlanContext,
} from './change.js';

interface NormalNotification {
  id?: string;
  functionArn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
  invocationRole?: string;
}

function normalise(c: LambdaFunctionConfigurationInput, keepId: boolean): NormalNotification {
  let prefix = c.filter?.prefix;
  let suffix = c.filter?.suffix;
  for (const rule of c.filter?.key?.filterRules ?? []) {
    if (rule.name.toLowerCase() === 'prefix') prefix = rule.value;
    if (rule.name.toLowerCase() === 'suffix') suffix = rule.value;
  }
  return {
    ...(keepId && c.id !== undefined ? { id: c.id } : {}),
    functionArn: c.functionArn,
    events: [...c.events].sort(),
    ...(prefix ? { prefix } : {}),
    ...(suffix ? { suffix } : {}),
    ...(c.invocationRole === undefined ? {} : { invocationRole: c.invocationRole }),
  };
}

/** Equal when each desired configuration has a stored twin; ids count only where the spec gives one. */
function sameNotifications(
  desired: BucketSpec['notifications'],
  current: NotificationConfiguration,
): boolean {
  const wanted = desired?.lambdaFunctionConfigurations ?? [];
  if (wanted.length !== current.lambdaFunctionConfigurations.length) return false;
  const byContent = (c: NormalNotification): string => canonical({ ...c, id: undefined });
  const a = wanted.map((c) => normalise(c, true)).sort((x, y) => byContent(x).localeCompare(byContent(y)));
  const b = current.lambdaFunctionConfigurations
    .map((c) => normalise(c, true))
    .sort((x, y) => byContent(x).localeCompare(byContent(y)));
  return a.every((c, i) => {
    const other = b[i]!;
    return byContent(c) === byContent(other) && (c.id === undefined || c.id === other.id);
  });
}

export async function planBucket(ctx: PlanContext, d: Declared<BucketSpec>): Promise<Change> {
  const { engine } = ctx;
  const { name, notifications } = d.value;
  const notify: Op = {
    phase: CREATE_PHASE.notifications,
    run: () =>
      engine.buckets.putNotificationConfiguration(
        name,
        notifications ?? { lambdaFunctionConfigurations: [] },
      ),
  };
  const current = await readOrUndefined(() => engine.buckets.getNotificationConfiguration(name));
  if (!current) {
    const ops: Op[] = [{ phase: CREATE_PHASE.bucket, run: () => engine.buckets.create(name) }];
    if ((notifications?.lambdaFunctionConfigurations ?? []).length > 0) ops.push(notify);
    return makeChange('bucket', d.id, d.where, 'create', ops);
  }
  if (sameNotifications(notifications, current)) return makeChange('bucket', d.id, d.where, 'unchanged', []);
  return makeChange('bucket', d.id, d.where, 'update', [notify], { changes: ['notifications'] });
}

export async function planBucketDelete(
  ctx: PlanContext,
  name: string,
  where: string,
): Promise<Change | undefined> {
  const { engine } = ctx;
  const page = await readOrUndefined(() => engine.buckets.listObjects(name, { maxKeys: 1 }));
  if (!page) return undefined;
  const ops = [{ phase: DELETE_PHASE.bucket, run: () => engine.buckets.delete(name) }];
  return makeChange('bucket', name, where, 'delete', ops, {
    ...(page.contents.length > 0 ? { blocker: `bucket ${name} still holds objects; empty it first` } : {}),
  });
}

export async function planStream(ctx: PlanContext, d: Declared<StreamSpec>): Promise<Change> {
  const { engine } = ctx;
  const { name, ...options } = d.value;
  const create: Op = { phase: CREATE_PHASE.stream, run: () => engine.streams.create(name, options) };
  const current = await readOrUndefined(() => engine.streams.describe(name));
  if (!current) {
    ctx.newSources.add(`stream:${name}`);
    return makeChange('stream', d.id, d.where, 'create', [create]);
  }
  const shards = differing([['shardCount', options.shardCount ?? 1, current.openShardCount]]);
  if (shards.length > 0) {
    ctx.newSources.add(`stream:${name}`);
    const remove: Op = { phase: DELETE_PHASE.stream, run: () => engine.streams.delete(name) };
    return makeChange('stream', d.id, d.where, 'replace', [remove, create], {
      changes: shards,
      reason: `${current.openShardCount} open shard(s), ${options.shardCount ?? 1} declared; the stream's records are lost`,
    });
  }
  const retention = options.retentionHours ?? 24;
  if (retention === current.retentionPeriodHours) return makeChange('stream', d.id, d.where, 'unchanged', []);
  return makeChange(
    'stream',
    d.id,
    d.where,
    'update',
    [{ phase: CREATE_PHASE.stream, run: () => engine.streams.updateRetention(name, retention) }],
    { changes: ['retentionHours'] },
  );
}

export function planStreamDelete(ctx: PlanContext, name: string, where: string): Promise<Change | undefined> {
  const { engine } = ctx;
  return deleteIfPresent(
    'stream',
    name,
    where,
    () => readOrUndefined(() => engine.streams.describe(name)),
    () => engine.streams.delete(name),
  );
}

const keyOf = (k: KeyAttribute | string | undefined): KeyAttribute | undefined =>
  typeof k === 'string'
    ? { name: k, type: 'S' }
    : k === undefined
      ? undefined
      : { name: k.name, type: k.type ?? 'S' };

export async function planTable(ctx: PlanContext, d: Declared<TableSpec>): Promise<Change> {
  const { engine } = ctx;
  const { name, ...options } = d.value;
  const create: Op = { phase: CREATE_PHASE.table, run: () => engine.tables.create(name, options) };
  const current = await readOrUndefined(() => engine.tables.describe(name));
  if (!current) {
    ctx.newSources.add(`table:${name}`);
    return makeChange('table', d.id, d.where, 'create', [create]);
  }
  const changes = differing([
    ['partitionKey', keyOf(options.partitionKey), current.partitionKey],
    ['sortKey', keyOf(options.sortKey), current.sortKey],
    ['streamViewType', options.streamViewType, current.streamViewType],
  ]);
  if (changes.length === 0) return makeChange('table', d.id, d.where, 'unchanged', []);
  ctx.newSources.add(`table:${name}`);
  const remove: Op = { phase: DELETE_PHASE.table, run: () => engine.tables.delete(name) };
  return makeChange('table', d.id, d.where, 'replace', [remove, create], {
    changes,
    reason: "a table's keys and stream cannot change in place; its items are lost",
  });
}

export function planTableDelete(ctx: PlanContext, name: string, where: string): Promise<Change | undefined> {
  const { engine } = ctx;
  return deleteIfPresent(
    'table',
    name,
    where,
    () => readOrUndefined(() => engine.tables.describe(name)),
    () => engine.tables.delete(name),
  );
}
