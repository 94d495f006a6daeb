/**
 * Functions, their permissions and event invoke configs. A function's configuration and code
 * are updated in place (UpdateFunctionConfiguration / UpdateFunctionCode); a permission
 * statement cannot be edited, so a changed one is removed and added again; an event invoke
 * config is put whole.
 */
import { prepareCode } from '../../functions/code.js';
import type { CreateFunctionOptions, PolicyStatement, UpdateFunctionOptions } from '../../functions/types.js';
import { readOrUndefined } from '../engine.js';
import type { EventInvokeConfigSpec, PermissionSpec } from '../types.js';
import type { Declared } from '../validate.js';
import {
  type Change,
  CREATE_PHASE,
  DELETE_PHASE,
  deleteIfPresent,
  differing,
  makeChange,
  type PlanContext,
} from './change.js';

/** What a new function gets for the options a spec leaves out. */
const FUNCTION_DEFAULTS = Object.freeze({ memoryMb: 128, timeoutSec: 3, description: '' });
/** What `putEventInvokeConfig` stores for omitted fields (AWS's Put semantics). */
const EVENT_INVOKE_DEFAULTS = Object.freeze({ maximumRetryAttempts: 2, maximumEventAgeSec: 21600 });

export async function planFunction(ctx: PlanContext, d: Declared<CreateFunctionOptions>): Promise<Change> {
  const { engine } = ctx;
  const fn = d.value;
  const current = await readOrUndefined(() => engine.functions.get(fn.name));
  if (!current) {
    ctx.newFunctions.add(fn.name);
    return makeChange('function', d.id, d.where, 'create', [
      { phase: CREATE_PHASE.function, run: () => engine.functions.create(fn) },
    ]);
  }
  // The code's hash as the engine computes it, so edited files show as a code update.
  const code = await prepareCode(fn.code).catch(() => undefined);
  const codeChanged =
    code === undefined ||
    code.source !== current.codeSource ||
    code.sha256 !== current.codeSha256 ||
    (code.path !== undefined && code.path !== current.codePath);
  const changes = differing([
    ['handler', fn.handler, current.handler],
    ['memoryMb', fn.memoryMb ?? FUNCTION_DEFAULTS.memoryMb, current.memorySize],
    ['timeoutSec', fn.timeoutSec ?? FUNCTION_DEFAULTS.timeoutSec, current.timeout],
    ['role', fn.role, current.role],
    ['environment', fn.environment ?? {}, current.environment],
    ['reservedConcurrency', fn.reservedConcurrency, current.reservedConcurrency],
    ['description', fn.description ?? FUNCTION_DEFAULTS.description, current.description],
  ]);
  if (codeChanged) changes.unshift('code');
  if (changes.length === 0) return makeChange('function', d.id, d.where, 'unchanged', []);
  const update: UpdateFunctionOptions = {};
  const set = update as Record<string, unknown>;
  const declared = fn as unknown as Record<string, unknown>;
  for (const field of changes)
    set[field] = declared[field] ?? (FUNCTION_DEFAULTS as Record<string, unknown>)[field];
  if (changes.includes('environment')) update.environment = fn.environment ?? {};
  if (changes.includes('reservedConcurrency')) update.reservedConcurrency = fn.reservedConcurrency ?? null;
  return makeChange(
    'function',
    d.id,
    d.where,
    'update',
    [{ phase: CREATE_PHASE.function, run: () => engine.functions.update(fn.name, update) }],
    { changes },
  );
}

export function planFunctionDelete(
  ctx: PlanContext,
  name: string,
  where: string,
): Promise<Change | undefined> {
  const { engine } = ctx;
  return deleteIfPresent(
    'function',
    name,
    where,
    () => readOrUndefined(() => engine.functions.get(name)),
    () => engine.functions.delete(name),
  );
}

async function statementOf(
  ctx: PlanContext,
  functionName: string,
  sid: string,
): Promise<PolicyStatement | undefined> {
  if (ctx.newFunctions.has(functionName)) return undefined;
  const policy = await readOrUndefined(() => ctx.engine.functions.getPolicy(functionName));
  return policy?.Statement.find((s) => s.Sid === sid);
}

export async function planPermission(ctx: PlanContext, d: Declared<PermissionSpec>): Promise<Change> {
  const { engine } = ctx;
  const { functionName, ...options } = d.value;
  const add = {
    phase: CREATE_PHASE.permission,
    run: () => engine.functions.addPermission(functionName, options),
  };
  const current = await statementOf(ctx, functionName, options.statementId);
  if (!current) return makeChange('permission', d.id, d.where, 'create', [add]);
  const principal = Object.values(current.Principal)[0];
  const changes = differing([
    ['action', options.action, current.Action],
    ['principal', options.principal, principal],
    ['sourceArn', options.sourceArn, current.Condition?.ArnLike?.['AWS:SourceArn']],
    ['sourceAccount', options.sourceAccount, current.Condition?.StringEquals?.['AWS:SourceAccount']],
  ]);
  if (changes.length === 0) return makeChange('permission', d.id, d.where, 'unchanged', []);
  const remove = {
    phase: DELETE_PHASE.permission,
    run: () => engine.functions.removePermission(functionName, options.statementId),
  };
  return makeChange('permission', d.id, d.where, 'replace', [remove, add], {
    changes,
    reason: 'a policy statement cannot be edited',
  });
}

/** A permission's id is `function/statementId` (function names hold no `/`). */
export async function planPermissionDelete(
  ctx: PlanContext,
  id: string,
  where: string,
): Promise<Change | undefined> {
  const slash = id.indexOf('/');
  const functionName = id.slice(0, slash);
  const sid = id.slice(slash + 1);
  if (!(await statementOf(ctx, functionName, sid))) return undefined;
  return makeChange('permission', id, where, 'delete', [
    { phase: DELETE_PHASE.permission, run: () => ctx.engine.functions.removePermission(functionName, sid) },
  ]);
}

export async function planEventInvokeConfig(
  ctx: PlanContext,
  d: Declared<EventInvokeConfigSpec>,
): Promise<Change> {
  const { engine } = ctx;
  const { functionName, ...config } = d.value;
  const put = {
    phase: CREATE_PHASE.eventInvokeConfig,
    run: () => engine.functions.putEventInvokeConfig(functionName, config),
  };
  const current = ctx.newFunctions.has(functionName)
    ? undefined
    : await readOrUndefined(() => engine.functions.getEventInvokeConfig(functionName));
  if (!current) return makeChange('eventInvokeConfig', d.id, d.where, 'create', [put]);
  const changes = differing([
    [
      'maximumRetryAttempts',
      config.maximumRetryAttempts ?? EVENT_INVOKE_DEFAULTS.maximumRetryAttempts,
      current.maximumRetryAttempts,
    ],
    [
      'maximumEventAgeSec',
      config.maximumEventAgeSec ?? EVENT_INVOKE_DEFAULTS.maximumEventAgeSec,
      current.maximumEventAgeSec,
    ],
    ['onSuccess', config.onSuccess, current.onSuccess],
    ['onFailure', config.onFailure, current.onFailure],
  ]);
  if (changes.length === 0) return makeChange('eventInvokeConfig', d.id, d.where, 'unchanged', []);
  return makeChange('eventInvokeConfig', d.id, d.where, 'update', [put], { changes });
}

export function planEventInvokeConfigDelete(
  ctx: PlanContext,
  functionName: string,
  where: string,
): Promise<Change | undefined> {
  const { engine } = ctx;
  return deleteIfPresent(
    'eventInvokeConfig',
    functionName,
    where,
    () => readOrUndefined(() => engine.functions.getEventInvokeConfig(functionName)),
    () => engine.functions.deleteEventInvokeConfig(functionName),
  );
}
