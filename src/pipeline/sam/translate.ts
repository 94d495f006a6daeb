/**
 * A SAM / CloudFormation template -> the pipeline spec that `apply` plans like any pipeline
 * file. SAM's own expansion is reproduced: each function without a `Role` gets the execution
 * role SAM generates (`<Function>Role`: Lambda's trust policy, AWSLambdaBasicExecutionRole, the
 * event sources' managed policies and the function's `Policies`), and each S3 event becomes a
 * notification on its bucket plus the permission that lets S3 invoke the function. Everything
 * the translation does not support is reported with its logical id and type, never dropped.
 */
import { IssueList, show } from '../errors.js';
import type { PipelineSpec, SamTemplate } from '../types.js';
import { functionNameOf, MAPPING_PROPS, mappingOf, translateFunction } from './function.js';
import { type At, NO_VALUE, Resolver, type ResourceValues } from './intrinsics.js';
import { generatedName } from './names.js';
import { entries, isObject, type Obj, Props } from './props.js';
import {
  translateBucket,
  translatePermission,
  translateRole,
  translateStream,
  translateTable,
} from './resources.js';
import { Output, type TranslateOptions, type TranslateScope } from './scope.js';

export type { TranslateOptions } from './scope.js';

const SERVERLESS = 'AWS::Serverless-2016-10-31';
const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Transform',
  'Description',
  'Metadata',
  'Parameters',
  'Globals',
  'Resources',
  'Outputs',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
]);

const isIntrinsic = (v: unknown): boolean =>
  isObject(v) &&
  Object.keys(v).length === 1 &&
  (Object.keys(v)[0] === 'Ref' || Object.keys(v)[0]!.startsWith('Fn::'));

/** SAM's Globals rule: maps merge, lists add up, a function's own scalar wins. */
function mergeGlobals(globals: unknown, own: unknown): unknown {
  if (own === undefined) return globals;
  if (globals === undefined) return own;
  if (Array.isArray(globals) && Array.isArray(own)) return [...globals, ...own];
  if (isObject(globals) && isObject(own) && !isIntrinsic(globals) && !isIntrinsic(own)) {
    const out: Obj = Object.create(null);
    for (const [k, v] of Object.entries(globals)) out[k] = v;
    for (const [k, v] of Object.entries(own)) out[k] = mergeGlobals(out[k], v);
    return out;
  }
  return own;
}

class Translator {
  readonly #o: TranslateOptions;
  readonly #issues: IssueList;
  readonly #out = new Output();
  readonly #values = new Map<string, ResourceValues>();
  readonly #bucketNames = new Set<string>();
  /** What each resource's translation (function.ts, resources.ts) reads and writes. */
  readonly #scope: TranslateScope;
  #resolver: Resolver;
  #globals: unknown;

  constructor(options: TranslateOptions) {
    this.#o = options;
    this.#scope = {
      options,
      out: this.#out,
      ref: (id) => this.#ref(id),
      bucketNames: this.#bucketNames,
    };
    this.#issues = new IssueList(options.file);
    this.#resolver = new Resolver(new Map(), new Map(), this.report);
  }

  readonly report = (at: At, message: string): void =>
    this.#issues.add(at.resource, at.field || undefined, message);

  run(template: SamTemplate): { spec: PipelineSpec; origins: ReadonlyMap<object, string> } {
    const top: At = { resource: undefined as unknown as string, field: '' };
    for (const key of Object.keys(template)) {
      if (!TOP_LEVEL.has(key))
        this.report({ ...top, field: key }, `template section ${key} is not supported`);
    }
    const transforms = template.Transform === undefined ? [] : [template.Transform].flat();
    for (const t of transforms) {
      if (t !== SERVERLESS)
        this.report(
          { ...top, field: 'Transform' },
          `transform ${show(t)} is not supported (only ${SERVERLESS})`,
        );
    }
    for (const [section, value] of entries(template.Globals)) {
      if (section === 'Function') this.#globals = value;
      else
        this.report(
          { ...top, field: `Globals.${section}` },
          `Globals section ${section} is not supported (only Function)`,
        );
    }
    const names = this.#names(template.Parameters);
    const resources = entries(template.Resources);
    if (!isObject(template.Resources))
      this.report({ ...top, field: 'Resources' }, 'must be a map of resources');
    // Pass 1: every resource's name and attributes, so references resolve in any order.
    const nameResolver = new Resolver(names, new Map(), this.report);
    for (const [id, resource] of resources) this.#declare(id, resource, nameResolver);
    this.#resolver = new Resolver(names, this.#values, this.report);
    // Pass 2: each resource's properties.
    for (const [id, resource] of resources) {
      if (isObject(resource) && this.#values.has(id)) this.#translate(id, resource);
    }
    for (const bucket of this.#out.buckets) {
      const configs = this.#out.notifications.get(bucket.name);
      if (configs) bucket.notifications = { lambdaFunctionConfigurations: configs };
    }
    this.#issues.throwIfAny();
    const o = this.#out;
    const spec: PipelineSpec = {
      roles: o.roles,
      buckets: o.buckets,
      streams: o.streams,
      tables: o.tables,
      functions: o.functions,
      permissions: o.permissions,
      eventInvokeConfigs: o.eventInvokeConfigs,
      mappings: o.mappings,
    };
    return { spec, origins: o.origins };
  }

  #names(parameters: unknown): Map<string, string | readonly string[] | typeof NO_VALUE> {
    const { region, accountId, stack } = this.#o;
    const names = new Map<string, string | readonly string[] | typeof NO_VALUE>([
      ['AWS::Region', region],
      ['AWS::AccountId', accountId],
      ['AWS::StackName', stack],
      ['AWS::StackId', `arn:aws:cloudformation:${region}:${accountId}:stack/${stack}/lambdalite`],
      ['AWS::Partition', 'aws'],
      ['AWS::URLSuffix', 'amazonaws.com'],
      ['AWS::NotificationARNs', []],
      ['AWS::NoValue', NO_VALUE],
    ]);
    const overrides = new Map(Object.entries(this.#o.parameters));
    for (const name of overrides.keys()) {
      if (!entries(parameters).some(([p]) => p === name)) {
        this.report(
          { resource: `parameter ${name}`, field: '' },
          'is not declared in the template Parameters',
        );
      }
    }
    for (const [name, declared] of entries(parameters)) {
      const at: At = { resource: `parameter ${name}`, field: '' };
      if (!isObject(declared)) {
        this.report(at, 'must be an object with Type and optionally Default');
        continue;
      }
      const type = typeof declared.Type === 'string' ? declared.Type : 'String';
      const given = overrides.has(name) ? overrides.get(name) : declared.Default;
      if (given === undefined) {
        this.report(at, 'has no Default: give its value in the parameters option');
        continue;
      }
      const list = type === 'CommaDelimitedList' || type.startsWith('List<');
      const value: string | readonly string[] = list
        ? Array.isArray(given)
          ? given.map(String)
          : String(given)
              .split(',')
              .map((s) => s.trim())
        : String(given);
      if (type === 'Number' && !Number.isFinite(Number(value))) {
        this.report({ ...at, field: 'Default' }, `must be a number, got ${show(given)}`);
      }
      const allowed = declared.AllowedValues;
      if (Array.isArray(allowed) && !list && !allowed.map(String).includes(value as string)) {
        this.report(at, `value ${show(value)} is not one of the AllowedValues ${show(allowed)}`);
      }
      names.set(name, value);
    }
    return names;
  }

  /** Pass 1: what `Ref` and `Fn::GetAtt` give for this resource. */
  #declare(id: string, resource: unknown, resolver: Resolver): void {
    const type = isObject(resource) && typeof resource.Type === 'string' ? resource.Type : undefined;
    const at: At = { resource: `${id} (${type ?? 'no Type'})`, field: '' };
    if (!isObject(resource) || type === undefined) {
      this.report(at, 'must be an object with a Type');
      return;
    }
    const props = isObject(resource.Properties) ? resource.Properties : {};
    const named = (key: string, kind: Parameters<typeof generatedName>[0]): string => {
      const v =
        props[key] === undefined
          ? undefined
          : resolver.resolve(props[key], { ...at, field: `Properties.${key}` });
      if (v !== undefined && typeof v !== 'string')
        this.report({ ...at, field: `Properties.${key}` }, `must be a string, got ${show(v)}`);
      return typeof v === 'string' ? v : generatedName(kind, this.#o.stack, id);
    };
    const { region, accountId } = this.#o;
    const set = (ref: string, attributes: [string, string][]) =>
      this.#values.set(id, { ref, attributes: new Map(attributes) });
    switch (type) {
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function': {
        if (type === 'AWS::Lambda::Function') break;
        const name = named('FunctionName', 'function');
        set(name, [['Arn', `arn:aws:lambda:${region}:${accountId}:function:${name}`]]);
        return;
      }
      case 'AWS::S3::Bucket': {
        const name = named('BucketName', 'bucket');
        this.#bucketNames.add(name);
        set(name, [['Arn', `arn:aws:s3:::${name}`]]);
        return;
      }
      case 'AWS::Kinesis::Stream': {
        const name = named('Name', 'stream');
        set(name, [['Arn', `arn:aws:kinesis:${region}:${accountId}:stream/${name}`]]);
        return;
      }
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName', 'table');
        const arn = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
        // The stream's label is known only once the table exists: `/stream/*` matches it in
        // policies, and apply turns it into the current stream for a mapping.
        const attrs: [string, string][] = [['Arn', arn]];
        if (props.StreamSpecification !== undefined) attrs.push(['StreamArn', `${arn}/stream/*`]);
        set(name, attrs);
        return;
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName', 'role');
        const path =
          props.Path === undefined ? '/' : resolver.resolve(props.Path, { ...at, field: 'Properties.Path' });
        set(name, [['Arn', `arn:aws:iam::${accountId}:role${typeof path === 'string' ? path : '/'}${name}`]]);
        return;
      }
      case 'AWS::Lambda::Permission':
      case 'AWS::Lambda::EventSourceMapping':
        set(id, []);
        return;
    }
    this.report(at, 'resource type is not supported');
  }

  #translate(id: string, resource: Obj): void {
    const type = resource.Type as string;
    const where = `${id} (${type})`;
    const at: At = { resource: where, field: '' };
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key))
        this.report({ ...at, field: key }, `resource attribute ${key} is not supported`);
    }
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      if (resource[policy] !== undefined && resource[policy] !== 'Delete') {
        this.report({ ...at, field: policy }, `only Delete is supported, got ${show(resource[policy])}`);
      }
    }
    const own = resource.Properties ?? {};
    const raw = type === 'AWS::Serverless::Function' ? mergeGlobals(this.#globals, own) : own;
    const props = this.#resolver.resolve(raw, { ...at, field: 'Properties' });
    if (!isObject(props)) {
      this.report({ ...at, field: 'Properties' }, 'must be an object');
      return;
    }
    const p = new Props(props, { ...at, field: 'Properties' }, this.report);
    switch (type) {
      case 'AWS::Serverless::Function':
        translateFunction(this.#scope, id, where, p);
        return;
      case 'AWS::S3::Bucket':
        translateBucket(this.#scope, id, where, p);
        return;
      case 'AWS::Kinesis::Stream':
        translateStream(this.#scope, id, where, p);
        return;
      case 'AWS::DynamoDB::Table':
        translateTable(this.#scope, id, where, p);
        return;
      case 'AWS::IAM::Role':
        translateRole(this.#scope, id, where, p);
        return;
      case 'AWS::Lambda::Permission':
        translatePermission(this.#scope, id, where, p);
        return;
      case 'AWS::Lambda::EventSourceMapping': {
        p.allow(['FunctionName', 'EventSourceArn', ...MAPPING_PROPS]);
        const fn = functionNameOf(p.str('FunctionName', true) ?? '');
        const mapping = mappingOf(p, fn, 'EventSourceArn');
        if (mapping) this.#out.push(this.#out.mappings, mapping, where);
        return;
      }
    }
  }

  #ref(id: string): string {
    return this.#values.get(id)?.ref ?? id;
  }
}

export function translateTemplate(
  template: SamTemplate,
  options: TranslateOptions,
): { spec: PipelineSpec; origins: ReadonlyMap<object, string> } {
  return new Translator(options).run(template);
}
