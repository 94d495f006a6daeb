/**
 * What planning produces per resource: the public {@link PlanStep} and the engine calls that
 * carry it out, each tagged with the phase it runs in. Deletes run first, dependents before
 * what they use (a mapping before its function, a function before its role); then creates and
 * updates, in the opposite order.
 */
import type { PipelineEngine } from '../engine.js';
import type { PlanAction, PlanStep, ResourceKind } from '../types.js';

export interface Op {
  readonly phase: number;
  readonly run: () => Promise<unknown>;
}

export interface Change {
  readonly step: PlanStep;
  /** Names the resource in errors: the file entry or the template's logical id. */
  readonly where: string;
  readonly ops: readonly Op[];
  /** Why this change cannot be carried out (e.g. a non-empty bucket to delete): apply refuses the plan. */
  readonly blocker?: string;
}

export const DELETE_PHASE: Readonly<Record<ResourceKind, number>> = Object.freeze({
  mapping: 0,
  bucket: 1,
  permission: 2,
  eventInvokeConfig: 3,
  function: 4,
  table: 5,
  stream: 6,
  role: 7,
});

export const CREATE_PHASE = Object.freeze({
  role: 10,
  bucket: 11,
  stream: 12,
  table: 13,
  function: 14,
  permission: 15,
  eventInvokeConfig: 16,
  /** Bucket notifications need the functions and their permissions first. */
  notifications: 17,
  mapping: 18,
});

export interface PlanContext {
  readonly engine: PipelineEngine;
  /** `stream:<name>` / `table:<name>` created or replaced by this plan: mappings on them start over. */
  readonly newSources: Set<string>;
  /** Functions this plan creates (their permissions and configs are created with them). */
  readonly newFunctions: Set<string>;
}

export function makeChange(
  kind: ResourceKind,
  id: string,
  where: string,
  action: PlanAction,
  ops: readonly Op[],
  extra: { changes?: readonly string[]; reason?: string; blocker?: string } = {},
): Change {
  const step: PlanStep = {
    action,
    kind,
    id,
    changes: extra.changes ?? [],
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
  };
  return { step, where, ops, ...(extra.blocker === undefined ? {} : { blocker: extra.blocker }) };
}

/** JSON with object keys sorted, so equal documents compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The names of the fields whose desired and current values differ. */
export function differing(pairs: ReadonlyArray<readonly [string, unknown, unknown]>): string[] {
  return pairs.filter(([, desired, current]) => canonical(desired) !== canonical(current)).map(([f]) => f);
}

/**
 * A delete step when `read` finds the resource (undefined when it is already gone, so the
 * record just drops it).
 */
export async function deleteIfPresent(
  kind: ResourceKind,
  id: string,
  where: string,
  read: () => Promise<unknown>,
  remove: () => Promise<unknown>,
): Promise<Change | undefined> {
  if ((await read()) === undefined) return undefined;
  return makeChange(kind, id, where, 'delete', [{ phase: DELETE_PHASE[kind], run: remove }]);
}
