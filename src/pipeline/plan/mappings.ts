/**
 * Event source mappings, identified by function and source. Settings are updated in place
 * (UpdateEventSourceMapping); a new starting position, or a source that this plan creates or
 * replaces, makes a new mapping (its checkpoints belong to the old shards).
 */

import type { EventSourceMapping, UpdateMappingInput } from '../../mappings/types.js';
import { MAPPING_DEFAULTS } from '../../mappings/validate.js';
import { type PipelineEngine, readOrUndefined, sourceOfArn, tableOfStreamWildcard } from '../engine.js';
import type { MappingSpec } from '../types.js';
import type { Declared } from '../validate.js';
import {
  type Change,
  CREATE_PHASE,
  DELETE_PHASE,
  differing,
  makeChange,
  type Op,
  type PlanContext,
} from './change.js';

/** The source a declared ARN names: a stream, or a table's stream (`.../stream/*` or a label). */
function sourceOf(arn: string): { kind: 'stream' | 'table'; name: string } | undefined {
  const table = tableOfStreamWildcard(arn);
  return table === undefined ? sourceOfArn(arn) : { kind: 'table', name: table };
}

/** The ARN to create the mapping with: a table's stream wildcard becomes its current stream. */
async function resolveSource(engine: PipelineEngine, arn: string): Promise<string> {
  const table = tableOfStreamWildcard(arn);
  if (table === undefined) return arn;
  return (await engine.tables.describe(table)).latestStreamArn ?? arn;
}

async function existing(ctx: PlanContext, spec: MappingSpec): Promise<EventSourceMapping[]> {
  if (ctx.newFunctions.has(spec.functionName)) return [];
  const wanted = sourceOf(spec.eventSourceArn);
  const all =
    (await readOrUndefined(() => ctx.engine.mappings.list({ functionName: spec.functionName }))) ?? [];
  return all.filter((m) => {
    if (m.eventSourceArn === spec.eventSourceArn) return true;
    const source = sourceOfArn(m.eventSourceArn);
    return wanted !== undefined && source?.kind === wanted.kind && source.name === wanted.name;
  });
}

const isEnabled = (m: EventSourceMapping): boolean => m.state !== 'Disabled' && m.state !== 'Disabling';

export async function planMapping(ctx: PlanContext, d: Declared<MappingSpec>): Promise<Change> {
  const { engine } = ctx;
  const spec = d.value;
  const create: Op = {
    phase: CREATE_PHASE.mapping,
    run: async () =>
      engine.mappings.create({ ...spec, eventSourceArn: await resolveSource(engine, spec.eventSourceArn) }),
  };
  const [current, ...extra] = await existing(ctx, spec);
  if (!current) return makeChange('mapping', d.id, d.where, 'create', [create]);
  const removeAll: Op[] = [current, ...extra].map((m) => ({
    phase: DELETE_PHASE.mapping,
    run: () => engine.mappings.delete(m.uuid),
  }));
  const source = sourceOf(spec.eventSourceArn);
  if (source && ctx.newSources.has(`${source.kind}:${source.name}`)) {
    return makeChange('mapping', d.id, d.where, 'replace', [...removeAll, create], {
      changes: ['eventSourceArn'],
      reason: `its ${source.kind} ${source.name} is created anew`,
    });
  }
  const resolved =
    source?.kind === 'table' ? await resolveSource(engine, spec.eventSourceArn) : spec.eventSourceArn;
  const fixed = differing([
    ['eventSourceArn', resolved, current.eventSourceArn],
    ['startingPosition', spec.startingPosition, current.startingPosition],
    ['startingPositionTimestamp', timestampOf(spec), current.startingPositionTimestamp],
    // UpdateEventSourceMapping can change a role but not remove it.
    ...(spec.role === undefined && current.role !== undefined
      ? [['role', undefined, current.role] as const]
      : []),
  ]);
  if (fixed.length > 0 || extra.length > 0) {
    return makeChange('mapping', d.id, d.where, 'replace', [...removeAll, create], {
      changes: fixed,
      ...(extra.length > 0
        ? { reason: `${extra.length + 1} mappings of this function read the source` }
        : {}),
    });
  }
  const reportFailures =
    spec.reportBatchItemFailures ??
    (spec.functionResponseTypes === undefined
      ? MAPPING_DEFAULTS.reportBatchItemFailures
      : spec.functionResponseTypes.length > 0);
  // What the mapping should hold, defaults filled in: compared field by field, then sent whole.
  const desired = {
    batchSize: spec.batchSize ?? MAPPING_DEFAULTS.batchSize,
    maximumBatchingWindowMs: spec.maximumBatchingWindowMs ?? MAPPING_DEFAULTS.maximumBatchingWindowMs,
    maximumRetryAttempts: spec.maximumRetryAttempts ?? MAPPING_DEFAULTS.maximumRetryAttempts,
    maximumRecordAgeSec: spec.maximumRecordAgeSec ?? MAPPING_DEFAULTS.maximumRecordAgeSec,
    bisectBatchOnFunctionError:
      spec.bisectBatchOnFunctionError ?? MAPPING_DEFAULTS.bisectBatchOnFunctionError,
    parallelizationFactor: spec.parallelizationFactor ?? MAPPING_DEFAULTS.parallelizationFactor,
    reportBatchItemFailures: reportFailures,
    onFailure: spec.onFailure,
    enabled: spec.enabled ?? MAPPING_DEFAULTS.enabled,
    role: spec.role,
  };
  const stored: Record<keyof typeof desired, unknown> = { ...current, enabled: isEnabled(current) };
  const changes = differing(
    (Object.keys(desired) as (keyof typeof desired)[]).map((k) => [k, desired[k], stored[k]] as const),
  );
  if (changes.length === 0) return makeChange('mapping', d.id, d.where, 'unchanged', []);
  const { role, onFailure, ...settings } = desired;
  const update: UpdateMappingInput = {
    ...settings,
    onFailure: onFailure ?? null,
    ...(role === undefined ? {} : { role }),
  };
  return makeChange(
    'mapping',
    d.id,
    d.where,
    'update',
    [{ phase: CREATE_PHASE.mapping, run: () => engine.mappings.update(current.uuid, update) }],
    { changes },
  );
}

function timestampOf(spec: MappingSpec): number | undefined {
  const t = spec.startingPositionTimestamp;
  return t instanceof Date ? t.getTime() : t;
}

/** A mapping's id is `function <- source ARN`. */
export async function planMappingDelete(
  ctx: PlanContext,
  id: string,
  where: string,
): Promise<Change | undefined> {
  const at = id.indexOf(' <- ');
  const spec = {
    functionName: id.slice(0, at),
    eventSourceArn: id.slice(at + 4),
    startingPosition: 'LATEST' as const,
  };
  const found = await existing(ctx, spec);
  if (found.length === 0) return undefined;
  return makeChange(
    'mapping',
    id,
    where,
    'delete',
    found.map((m) => ({ phase: DELETE_PHASE.mapping, run: () => ctx.engine.mappings.delete(m.uuid) })),
  );
}
