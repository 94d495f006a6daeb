/**
 * Checks a pipeline spec's shape before anything is read or written: known top-level keys,
 * each entry an object with its required fields, no unknown field, each field of the right
 * type, no two entries with the same identity. Range rules (memory steps, name syntax, ...)
 * stay with the engine, whose errors apply re-raises naming the resource.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CreateFunctionOptions } from '../functions/types.js';
import { IssueList, show } from './errors.js';
import type {
  BucketSpec,
  EventInvokeConfigSpec,
  MappingSpec,
  PermissionSpec,
  PipelineSpec,
  ResourceKind,
  RoleSpec,
  StreamSpec,
  TableSpec,
} from './types.js';

/** One declared resource: its identity, where it came from (for messages) and its value. */
export interface Declared<T> {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly where: string;
  readonly value: T;
}

export interface NormalSpec {
  readonly roles: Declared<RoleSpec>[];
  readonly buckets: Declared<BucketSpec>[];
  readonly streams: Declared<StreamSpec>[];
  readonly tables: Declared<TableSpec>[];
  readonly functions: Declared<CreateFunctionOptions>[];
  readonly permissions: Declared<PermissionSpec>[];
  readonly eventInvokeConfigs: Declared<EventInvokeConfigSpec>[];
  readonly mappings: Declared<MappingSpec>[];
}

export interface ValidateContext {
  readonly file: string | undefined;
  readonly baseDir: string;
  readonly region: string;
  readonly accountId: string;
  /** Names an entry by where it came from (a template's logical id) instead of `kind[i]`. */
  readonly origins?: ReadonlyMap<object, string>;
}

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'policy' | 'key' | 'code' | 'strings';

interface Schema {
  readonly kind: ResourceKind;
  readonly required: readonly string[];
  readonly fields: ReadonlyMap<string, FieldType>;
  /** The fields naming the resource, joined by `separator` into its id. */
  readonly identity: readonly string[];
  readonly separator?: string;
}

const SCHEMAS = new Map<keyof PipelineSpec, Schema>([
  [
    'roles',
    {
      kind: 'role',
      required: ['name', 'assumeRolePolicy'],
      fields: new Map<string, FieldType>([
        ['name', 'string'],
        ['assumeRolePolicy', 'policy'],
        ['policies', 'object'],
        ['path', 'string'],
        ['description', 'string'],
      ]),
      identity: ['name'],
    },
  ],
  [
    'buckets',
    {
      kind: 'bucket',
      required: ['name'],
      fields: new Map<string, FieldType>([
        ['name', 'string'],
        ['notifications', 'object'],
      ]),
      identity: ['name'],
    },
  ],
  [
    'streams',
    {
      kind: 'stream',
      required: ['name'],
      fields: new Map<string, FieldType>([
        ['name', 'string'],
        ['shardCount', 'number'],
        ['retentionHours', 'number'],
      ]),
      identity: ['name'],
    },
  ],
  [
    'tables',
    {
      kind: 'table',
      required: ['name', 'partitionKey'],
      fields: new Map<string, FieldType>([
        ['name', 'string'],
        ['partitionKey', 'key'],
        ['sortKey', 'key'],
        ['streamViewType', 'string'],
      ]),
      identity: ['name'],
    },
  ],
  [
    'functions',
    {
      kind: 'function',
      required: ['name', 'handler', 'code', 'role'],
      fields: new Map<string, FieldType>([
        ['name', 'string'],
        ['handler', 'string'],
        ['code', 'code'],
        ['memoryMb', 'number'],
        ['timeoutSec', 'number'],
        ['role', 'string'],
        ['environment', 'object'],
        ['reservedConcurrency', 'number'],
        ['description', 'string'],
      ]),
      identity: ['name'],
    },
  ],
  [
    'permissions',
    {
      kind: 'permission',
      required: ['functionName', 'statementId', 'action', 'principal'],
      fields: new Map<string, FieldType>([
        ['functionName', 'string'],
        ['statementId', 'string'],
        ['action', 'string'],
        ['principal', 'string'],
        ['sourceArn', 'string'],
        ['sourceAccount', 'string'],
      ]),
      identity: ['functionName', 'statementId'],
      separator: '/',
    },
  ],
  [
    'eventInvokeConfigs',
    {
      kind: 'eventInvokeConfig',
      required: ['functionName'],
      fields: new Map<string, FieldType>([
        ['functionName', 'string'],
        ['maximumRetryAttempts', 'number'],
        ['maximumEventAgeSec', 'number'],
        ['onSuccess', 'string'],
        ['onFailure', 'string'],
      ]),
      identity: ['functionName'],
    },
  ],
  [
    'mappings',
    {
      kind: 'mapping',
      required: ['functionName', 'eventSourceArn', 'startingPosition'],
      fields: new Map<string, FieldType>([
        ['functionName', 'string'],
        ['eventSourceArn', 'string'],
        ['startingPosition', 'string'],
        ['startingPositionTimestamp', 'number'],
        ['batchSize', 'number'],
        ['maximumBatchingWindowMs', 'number'],
        ['maximumRetryAttempts', 'number'],
        ['maximumRecordAgeSec', 'number'],
        ['bisectBatchOnFunctionError', 'boolean'],
        ['parallelizationFactor', 'number'],
        ['reportBatchItemFailures', 'boolean'],
        ['functionResponseTypes', 'strings'],
        ['onFailure', 'string'],
        ['enabled', 'boolean'],
        ['role', 'string'],
      ]),
      identity: ['functionName', 'eventSourceArn'],
      separator: ' <- ',
    },
  ],
]);

/** The top-level keys, in the order apply creates their resources. */
export const TOP_LEVEL_KEYS: readonly (keyof PipelineSpec)[] = [...SCHEMAS.keys()];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function typeProblem(type: FieldType, value: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'object':
      return isObject(value) ? undefined : 'must be an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : 'must be a list of strings';
    case 'policy':
      return typeof value === 'string' || isObject(value)
        ? undefined
        : 'must be a policy document (object or JSON text)';
    case 'key':
      return typeof value === 'string' || (isObject(value) && typeof value.name === 'string')
        ? undefined
        : "must be an attribute name or { name, type: 'S' | 'N' | 'B' }";
    case 'code':
      return isObject(value) &&
        Object.keys(value).length === 1 &&
        (typeof value.directory === 'string' ||
          typeof value.file === 'string' ||
          typeof value.zipFile === 'string' ||
          value.zipFile instanceof Uint8Array)
        ? undefined
        : 'must be { directory }, { file } or { zipFile }';
  }
}

const PSEUDO = /\$\{AWS::(Region|AccountId|Partition)\}/g;

/** Replaces the pseudo parameters in every string, leaving bytes and other values as they are. */
function substitute(value: unknown, ctx: ValidateContext): unknown {
  if (typeof value === 'string') {
    return value.replace(PSEUDO, (_, name: string) =>
      name === 'Region' ? ctx.region : name === 'AccountId' ? ctx.accountId : 'aws',
    );
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, ctx));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: substitute(v, ctx),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

async function resolveCode(
  code: Record<string, unknown>,
  baseDir: string,
): Promise<CreateFunctionOptions['code']> {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (typeof code.directory === 'string') return { directory: at(code.directory) };
  if (typeof code.file === 'string') return { file: at(code.file) };
  if (typeof code.zipFile === 'string') return { zipFile: await readFile(at(code.zipFile)) };
  return { zipFile: code.zipFile as Uint8Array };
}

/**
 * Checks `input` and returns its entries with identities and origins; throws a
 * {@link PipelineError} listing every problem. Relative code paths are resolved against
 * `ctx.baseDir`; a zip given as a path is read.
 */
export async function validateSpec(input: unknown, ctx: ValidateContext): Promise<NormalSpec> {
  const issues = new IssueList(ctx.file);
  if (!isObject(input)) {
    issues.add(
      undefined,
      undefined,
      `a pipeline must be an object with ${TOP_LEVEL_KEYS.join(', ')}, got ${show(input)}`,
    );
    issues.throwIfAny();
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!SCHEMAS.has(key as keyof PipelineSpec)) {
      issues.add(undefined, key, `unknown top-level key; expected one of ${TOP_LEVEL_KEYS.join(', ')}`);
    }
  }
  const out = new Map<keyof PipelineSpec, Declared<Record<string, unknown>>[]>();
  const seen = new Map<string, string>();
  for (const [key, schema] of SCHEMAS) {
    const list = spec[key];
    const entries: Declared<Record<string, unknown>>[] = [];
    out.set(key, entries);
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      issues.add(undefined, key, `must be a list, got ${show(list)}`);
      continue;
    }
    list.forEach((given: unknown, i) => {
      const origin = isObject(given) ? ctx.origins?.get(given) : undefined;
      let where = origin ?? `${key}[${i}]`;
      if (!isObject(given)) {
        issues.add(where, undefined, `must be an object, got ${show(given)}`);
        return;
      }
      const raw = substitute(given, ctx) as Record<string, unknown>;
      const parts = schema.identity.map((f) => raw[f]);
      const named = parts.every((p) => typeof p === 'string' && p !== '');
      const id = named ? parts.join(schema.separator ?? '') : `${key}[${i}]`;
      if (origin === undefined && named) where = `${where} '${id}'`;
      const before = issues.size;
      for (const field of schema.required) {
        if (raw[field] === undefined) issues.add(where, field, 'is required');
      }
      for (const [field, value] of Object.entries(raw)) {
        const type = schema.fields.get(field);
        if (type === undefined) {
          issues.add(where, field, `unknown field; expected one of ${[...schema.fields.keys()].join(', ')}`);
        } else if (value !== undefined) {
          const problem = typeProblem(type, value);
          if (problem) issues.add(where, field, `${problem}, got ${show(value)}`);
        }
      }
      if (schema.kind === 'role' && isObject(raw.policies)) {
        for (const [name, doc] of Object.entries(raw.policies)) {
          const problem = typeProblem('policy', doc);
          if (problem) issues.add(where, `policies.${name}`, `${problem}, got ${show(doc)}`);
        }
      }
      if (schema.kind === 'function' && isObject(raw.environment)) {
        for (const [name, value] of Object.entries(raw.environment)) {
          if (typeof value !== 'string')
            issues.add(where, `environment.${name}`, `must be a string, got ${show(value)}`);
        }
      }
      const identity = `${schema.kind}:${id}`;
      const earlier = seen.get(identity);
      if (earlier !== undefined)
        issues.add(where, undefined, `declares the same ${schema.kind} as ${earlier}`);
      seen.set(identity, where);
      if (issues.size === before) {
        entries.push({ kind: schema.kind, id, where, value: raw });
      }
    });
  }
  issues.throwIfAny();
  for (const fn of out.get('functions') ?? []) {
    (fn.value as { code: unknown }).code = await resolveCode(
      fn.value.code as Record<string, unknown>,
      ctx.baseDir,
    );
  }
  const take = <T>(key: keyof PipelineSpec): Declared<T>[] =>
    (out.get(key) ?? []) as unknown as Declared<T>[];
  return {
    roles: take('roles'),
    buckets: take('buckets'),
    streams: take('streams'),
    tables: take('tables'),
    functions: take('functions'),
    permissions: take('permissions'),
    eventInvokeConfigs: take('eventInvokeConfigs'),
    mappings: take('mappings'),
  };
}
