/**
 * Planning: compares each declared resource with what the engine holds (read through its
 * public API) and, with `prune`, lists the recorded resources no longer declared. Nothing is
 * written here.
 */
import type { PipelineEngine } from './engine.js';
import { type Change, CREATE_PHASE, type PlanContext } from './plan/change.js';
import {
  planEventInvokeConfig,
  planEventInvokeConfigDelete,
  planFunction,
  planFunctionDelete,
  planPermission,
  planPermissionDelete,
} from './plan/functions.js';
import { planMapping, planMappingDelete } from './plan/mappings.js';
import { planRole, planRoleDelete } from './plan/roles.js';
import {
  planBucket,
  planBucketDelete,
  planStream,
  planStreamDelete,
  planTable,
  planTableDelete,
} from './plan/storage.js';
import { type ManagedResource, ManagedSet } from './state.js';
import type { ResourceKind } from './types.js';
import type { Declared, NormalSpec } from './validate.js';

type DeletePlanner = (ctx: PlanContext, id: string, where: string) => Promise<Change | undefined>;

const DELETE_PLANNERS: ReadonlyMap<ResourceKind, DeletePlanner> = new Map<ResourceKind, DeletePlanner>([
  ['mapping', planMappingDelete],
  ['bucket', planBucketDelete],
  ['permission', planPermissionDelete],
  ['eventInvokeConfig', planEventInvokeConfigDelete],
  ['function', planFunctionDelete],
  ['table', planTableDelete],
  ['stream', planStreamDelete],
  ['role', planRoleDelete],
]);

/** Where a kind's step sorts in the printed plan when it runs nothing (unchanged). */
const SORT_PHASE: Readonly<Record<ResourceKind, number>> = Object.freeze({
  role: CREATE_PHASE.role,
  bucket: CREATE_PHASE.bucket,
  stream: CREATE_PHASE.stream,
  table: CREATE_PHASE.table,
  function: CREATE_PHASE.function,
  permission: CREATE_PHASE.permission,
  eventInvokeConfig: CREATE_PHASE.eventInvokeConfig,
  mapping: CREATE_PHASE.mapping,
});

export interface PlannedChanges {
  /** In execution order. */
  readonly changes: readonly Change[];
  /** Recorded resources no longer declared, kept because prune is off. */
  readonly retained: readonly ManagedResource[];
  /** The record to keep once the changes ran: what is declared, plus what is retained. */
  readonly managed: ManagedSet;
}

export async function planChanges(
  engine: PipelineEngine,
  spec: NormalSpec,
  recorded: ManagedSet,
  prune: boolean,
): Promise<PlannedChanges> {
  const ctx: PlanContext = { engine, newSources: new Set(), newFunctions: new Set() };
  const changes: Change[] = [];
  const declared = new ManagedSet();
  // Sequential, in dependency order: later kinds read what earlier ones found (new functions,
  // sources created anew).
  const each = async <T>(
    list: readonly Declared<T>[],
    planner: (c: PlanContext, d: Declared<T>) => Promise<Change>,
  ) => {
    for (const d of list) {
      declared.add(d);
      changes.push(await planner(ctx, d));
    }
  };
  await each(spec.roles, planRole);
  await each(spec.buckets, planBucket);
  await each(spec.streams, planStream);
  await each(spec.tables, planTable);
  await each(spec.functions, planFunction);
  await each(spec.permissions, planPermission);
  await each(spec.eventInvokeConfigs, planEventInvokeConfig);
  await each(spec.mappings, planMapping);

  const managed = new ManagedSet(declared.list());
  const retained: ManagedResource[] = [];
  for (const [kind, planner] of DELETE_PLANNERS) {
    for (const r of recorded.list()) {
      if (r.kind !== kind || declared.has(r)) continue;
      const change = await planner(ctx, r.id, `${kind} ${r.id} (no longer declared)`);
      if (!change) continue; // already gone: dropped from the record
      // Kept in the record until its delete has run, so a failed prune is retried next time.
      managed.add(r);
      if (prune) changes.push(change);
      else retained.push(r);
    }
  }
  return {
    changes: changes
      .map((c, i) => ({ c, i }))
      .sort(byPhase)
      .map(({ c }) => c),
    retained,
    managed,
  };
}

const phaseOf = (c: Change): number =>
  c.ops.length === 0 ? SORT_PHASE[c.step.kind] : Math.min(...c.ops.map((o) => o.phase));

function byPhase(a: { c: Change; i: number }, b: { c: Change; i: number }): number {
  return phaseOf(a.c) - phaseOf(b.c) || a.i - b.i;
}
