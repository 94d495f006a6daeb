/**
 * Roles: the trust policy and inline policies are updated in place (UpdateAssumeRolePolicy,
 * PutRolePolicy, DeleteRolePolicy); a new path or description replaces the role, as the engine
 * has no UpdateRole (a role still in use then fails to delete with DeleteConflict).
 */
import type { PolicyInput } from '../../iam/types.js';
import { readOrUndefined } from '../engine.js';
import type { RoleSpec } from '../types.js';
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

/** A document as an object; text that is not JSON stays text (the engine refuses it when applied). */
function asDocument(doc: PolicyInput): unknown {
  if (typeof doc !== 'string') return doc;
  try {
    return JSON.parse(doc) as unknown;
  } catch {
    return doc;
  }
}

export async function planRole(ctx: PlanContext, d: Declared<RoleSpec>): Promise<Change> {
  const { engine } = ctx;
  const role = d.value;
  const create: Op = { phase: CREATE_PHASE.role, run: () => engine.iam.createRole(role) };
  const current = await readOrUndefined(() => engine.iam.getRole(role.name));
  if (!current) return makeChange('role', d.id, d.where, 'create', [create]);

  const fixed = differing([
    ['path', role.path ?? '/', current.path],
    ['description', role.description, current.description],
  ]);
  if (fixed.length > 0) {
    const remove: Op = { phase: DELETE_PHASE.role, run: () => engine.iam.deleteRole(role.name) };
    return makeChange('role', d.id, d.where, 'replace', [remove, create], { changes: fixed });
  }
  const ops: Op[] = [];
  const changes: string[] = [];
  if (canonical(asDocument(role.assumeRolePolicy)) !== canonical(current.assumeRolePolicyDocument)) {
    changes.push('assumeRolePolicy');
    ops.push({
      phase: CREATE_PHASE.role,
      run: () => engine.iam.updateAssumeRolePolicy(role.name, role.assumeRolePolicy),
    });
  }
  const desired = new Map(Object.entries(role.policies ?? {}));
  for (const name of current.policyNames) {
    const doc = desired.get(name);
    if (doc === undefined) {
      changes.push(`policies.${name}`);
      ops.push({ phase: CREATE_PHASE.role, run: () => engine.iam.deleteRolePolicy(role.name, name) });
      continue;
    }
    const stored = await engine.iam.getRolePolicy(role.name, name);
    if (canonical(asDocument(doc)) !== canonical(stored.policyDocument)) changes.push(`policies.${name}`);
  }
  for (const [name, doc] of desired) {
    if (changes.includes(`policies.${name}`) || !current.policyNames.includes(name)) {
      if (!changes.includes(`policies.${name}`)) changes.push(`policies.${name}`);
      ops.push({ phase: CREATE_PHASE.role, run: () => engine.iam.putRolePolicy(role.name, name, doc) });
    }
  }
  return makeChange('role', d.id, d.where, ops.length === 0 ? 'unchanged' : 'update', ops, { changes });
}

export function planRoleDelete(ctx: PlanContext, name: string, where: string): Promise<Change | undefined> {
  const { engine } = ctx;
  return deleteIfPresent(
    'role',
    name,
    where,
    () => readOrUndefined(() => engine.iam.getRole(name)),
    () => engine.iam.deleteRole(name),
  );
}
