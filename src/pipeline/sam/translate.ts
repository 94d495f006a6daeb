/**
 * A SAM / CloudFormation template -> the pipeline spec that `apply` plans like any pipeline
 * file. SAM's own expansion is reproduced: each function without a `Role` gets the execution
 * role SAM generates (`<Function>Role`: Lambda's trust policy, AWSLambdaBasicExecutionRole, the
 * event sources' managed policies and the function's `Policies`), and each S3 event becomes a
 * notification on its bucket plus the permission that lets S3 invoke the function. Everything
 * the translation does not support is reported with its logical id and type, never dropped.
 */
import type { PolicyInput } from '../../iam/types.js';
import { IssueList, show } from '../errors.js';
import type {
  BucketSpec,
  EventInvokeConfigSpec,
  FunctionSpec,
  MappingSpec,
  PermissionSpec,
  PipelineSpec,
  RoleSpec,
  SamTemplate,
  StreamSpec,
  TableSpec,
} from '../types.js';
import { type At, NO_VALUE, Resolver, type ResourceValues } from './intrinsics.js';
import { generatedName } from './names.js';
import { MANAGED_POLICY_NAMES, managedPolicy } from './policies.js';

export interface TranslateOptions {
  readonly file: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  readonly parameters: Readonly<Record<string, string | number | readonly string[]>>;
}

type Obj = Record<string, unknown>;

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

const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
  ],
};

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);
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

/** The translation's working state: the spec being built and where each entry came from. */
class Output {
  readonly roles: RoleSpec[] = [];
  readonly buckets: BucketSpec[] = [];
  readonly streams: StreamSpec[] = [];
  readonly tables: TableSpec[] = [];
  readonly functions: FunctionSpec[] = [];
  readonly permissions: PermissionSpec[] = [];
  readonly eventInvokeConfigs: EventInvokeConfigSpec[] = [];
  readonly mappings: MappingSpec[] = [];
  readonly origins = new Map<object, string>();
  /** S3 events and bucket LambdaConfigurations, by bucket name, attached at the end. */
  readonly notifications = new Map<
    string,
    NonNullable<BucketSpec['notifications']>['lambdaFunctionConfigurations']
  >();

  push<T extends object>(list: T[], item: T, origin: string): void {
    list.push(item);
    this.origins.set(item, origin);
  }

  notify(bucket: string, config: NonNullable<ReturnType<Output['notifications']['get']>>[number]): void {
    const list = this.notifications.get(bucket) ?? [];
    list.push(config);
    this.notifications.set(bucket, list);
  }
}

class Translator {
  readonly #o: TranslateOptions;
  readonly #issues: IssueList;
  readonly #out = new Output();
  readonly #values = new Map<string, ResourceValues>();
  readonly #bucketNames = new Set<string>();
  #resolver: Resolver;
  #globals: unknown;

  constructor(options: TranslateOptions) {
    this.#o = options;
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
        this.#function(id, where, p);
        return;
      case 'AWS::S3::Bucket':
        this.#bucket(id, where, p);
        return;
      case 'AWS::Kinesis::Stream':
        this.#stream(id, where, p);
        return;
      case 'AWS::DynamoDB::Table':
        this.#table(id, where, p);
        return;
      case 'AWS::IAM::Role':
        this.#role(id, where, p);
        return;
      case 'AWS::Lambda::Permission':
        this.#permission(id, where, p);
        return;
      case 'AWS::Lambda::EventSourceMapping': {
        p.allow(['FunctionName', 'EventSourceArn', ...MAPPING_PROPS]);
        const fn = functionNameOf(p.str('FunctionName', true) ?? '');
        const mapping = this.#mapping(p, fn, 'EventSourceArn');
        if (mapping) this.#out.push(this.#out.mappings, mapping, where);
        return;
      }
    }
  }

  #ref(id: string): string {
    return this.#values.get(id)?.ref ?? id;
  }

  #function(id: string, where: string, p: Props): void {
    p.allow([
      'FunctionName',
      'CodeUri',
      'Handler',
      'Runtime',
      'MemorySize',
      'Timeout',
      'Environment',
      'Policies',
      'Role',
      'ReservedConcurrentExecutions',
      'EventInvokeConfig',
      'Events',
      'Description',
      'Architectures',
      'Tags',
    ]);
    const name = this.#ref(id);
    const code = p.str('CodeUri', true);
    if (code !== undefined && (code.startsWith('s3://') || code.startsWith('https://'))) {
      p.report('CodeUri', 'must be a local directory or zip (S3 locations are not supported)');
    }
    const runtime = p.str('Runtime', true);
    if (runtime !== undefined && !runtime.startsWith('nodejs')) {
      p.report('Runtime', `only Node.js runtimes (nodejs*) are supported, got ${show(runtime)}`);
    }
    const env = p.sub('Environment');
    env?.allow(['Variables']);
    const variables: Record<string, string> = {};
    for (const [k, v] of entries(env?.raw('Variables'))) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variables[k] = String(v);
      else p.report(`Environment.Variables.${k}`, `must be a string, got ${show(v)}`);
    }
    const managed = new Map<string, unknown>();
    const events = p.raw('Events');
    for (const [eventName, event] of entries(events)) {
      this.#event(id, name, where, eventName, event, p, managed);
    }
    const explicitRole = p.str('Role');
    const roleName = generatedName('role', this.#o.stack, `${id}Role`);
    const role = explicitRole ?? `arn:aws:iam::${this.#o.accountId}:role/${roleName}`;
    if (explicitRole !== undefined && p.raw('Policies') !== undefined) {
      p.report('Policies', 'cannot be given with Role (SAM adds Policies to the role it generates only)');
    }
    if (explicitRole === undefined) this.#implicitRole(id, roleName, p, managed);

    const fn: FunctionSpec = {
      name,
      handler: p.str('Handler', true) ?? '',
      code: code?.endsWith('.zip') ? { zipFile: code } : { directory: code ?? '.' },
      role,
    };
    const memory = p.num('MemorySize');
    if (memory !== undefined) fn.memoryMb = memory;
    const timeout = p.num('Timeout');
    if (timeout !== undefined) fn.timeoutSec = timeout;
    if (Object.keys(variables).length > 0) fn.environment = variables;
    const reserved = p.num('ReservedConcurrentExecutions');
    if (reserved !== undefined) fn.reservedConcurrency = reserved;
    const description = p.str('Description');
    if (description !== undefined) fn.description = description;
    this.#out.push(this.#out.functions, fn, where);

    const invokeConfig = p.sub('EventInvokeConfig');
    if (invokeConfig) this.#eventInvokeConfig(name, where, invokeConfig);
  }

  #implicitRole(id: string, roleName: string, p: Props, managed: Map<string, unknown>): void {
    const policies: Record<string, PolicyInput> = Object.create(null);
    const basic = managedPolicy('AWSLambdaBasicExecutionRole')!;
    policies[basic.name] = basic.document;
    for (const [name, doc] of managed) policies[name] = doc as PolicyInput;
    const given = p.raw('Policies');
    const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
    list.forEach((entry, i) => {
      const field = Array.isArray(given) ? `Policies[${i}]` : 'Policies';
      if (typeof entry === 'string') {
        const known = managedPolicy(entry);
        if (known) policies[known.name] = known.document;
        else
          p.report(
            field,
            `managed policy ${show(entry)} is not known here (known: ${MANAGED_POLICY_NAMES.join(', ')})`,
          );
      } else if (isObject(entry) && entry.Statement !== undefined) {
        policies[`${id}RolePolicy${i}`] = { Version: '2012-10-17', ...entry } as PolicyInput;
      } else if (isObject(entry) && Object.keys(entry).length === 1) {
        p.report(
          field,
          `SAM policy template ${Object.keys(entry)[0]} is not supported; write its statements instead`,
        );
      } else {
        p.report(field, `must be a managed policy name or a policy document, got ${show(entry)}`);
      }
    });
    const role: RoleSpec = { name: roleName, assumeRolePolicy: LAMBDA_TRUST, policies };
    this.#out.push(this.#out.roles, role, `${id}Role (the execution role SAM generates for ${id})`);
  }

  #event(
    id: string,
    fnName: string,
    where: string,
    eventName: string,
    event: unknown,
    fnProps: Props,
    managed: Map<string, unknown>,
  ): void {
    const field = `Events.${eventName}`;
    if (!isObject(event)) {
      fnProps.report(field, 'must be an object with Type and Properties');
      return;
    }
    const ev = fnProps.sub(field, event);
    ev?.allow(['Type', 'Properties']);
    const type = ev?.str('Type', true);
    const p = ev?.sub('Properties');
    if (!ev || !p) {
      ev?.report('Properties', 'is required');
      return;
    }
    const functionArn = `arn:aws:lambda:${this.#o.region}:${this.#o.accountId}:function:${fnName}`;
    if (type === 'S3') {
      p.allow(['Bucket', 'Events', 'Filter']);
      const bucket = p.str('Bucket', true);
      if (bucket !== undefined && !this.#bucketNames.has(bucket)) {
        p.report('Bucket', `must be a !Ref to an AWS::S3::Bucket of this template, got ${show(bucket)}`);
      }
      const names = p.raw('Events');
      const events =
        typeof names === 'string'
          ? [names]
          : Array.isArray(names)
            ? names.filter((n) => typeof n === 'string')
            : [];
      if (events.length === 0) p.report('Events', `must name S3 event types, got ${show(names)}`);
      const filter = this.#s3Filter(p.sub('Filter'));
      if (bucket === undefined) return;
      this.#out.notify(bucket, {
        id: `${id}${eventName}`,
        functionArn,
        events,
        ...(filter ? { filter } : {}),
      });
      // SAM's permission names the account only (naming the bucket too would make a cycle in
      // CloudFormation), so S3 of this account may invoke the function.
      this.#out.push(
        this.#out.permissions,
        {
          functionName: fnName,
          statementId: `${id}${eventName}Permission`,
          action: 'lambda:InvokeFunction',
          principal: 's3.amazonaws.com',
          sourceAccount: this.#o.accountId,
        },
        `${id}${eventName}Permission (the permission SAM generates for ${where} event ${eventName})`,
      );
      return;
    }
    if (type === 'Kinesis' || type === 'DynamoDB') {
      p.allow(['Stream', ...MAPPING_PROPS]);
      const policy = managedPolicy(
        type === 'Kinesis' ? 'AWSLambdaKinesisExecutionRole' : 'AWSLambdaDynamoDBExecutionRole',
      )!;
      managed.set(policy.name, policy.document);
      const mapping = this.#mapping(p, fnName, 'Stream');
      if (mapping) {
        this.#out.push(
          this.#out.mappings,
          mapping,
          `${id}${eventName} (the event source mapping SAM generates for ${where} event ${eventName})`,
        );
      }
      return;
    }
    ev.report('Type', `event type ${show(type)} is not supported (S3, Kinesis and DynamoDB are)`);
  }

  #s3Filter(filter: Props | undefined): { prefix?: string; suffix?: string } | undefined {
    if (!filter) return undefined;
    filter.allow(['S3Key']);
    const key = filter.sub('S3Key');
    key?.allow(['Rules']);
    const rules = key?.raw('Rules');
    const out: { prefix?: string; suffix?: string } = {};
    if (!Array.isArray(rules)) {
      key?.report('Rules', 'must be a list of { Name: prefix | suffix, Value }');
      return undefined;
    }
    rules.forEach((rule, i) => {
      const name = isObject(rule) && typeof rule.Name === 'string' ? rule.Name.toLowerCase() : undefined;
      const value = isObject(rule) ? rule.Value : undefined;
      if ((name === 'prefix' || name === 'suffix') && typeof value === 'string') out[name] = value;
      else key?.report(`Rules[${i}]`, `must be { Name: prefix | suffix, Value }, got ${show(rule)}`);
    });
    return out;
  }

  #mapping(p: Props, functionName: string, sourceKey: string): MappingSpec | undefined {
    const source = p.str(sourceKey, true);
    const start = p.str('StartingPosition', true);
    if (source === undefined || start === undefined) return undefined;
    const mapping: MappingSpec = {
      functionName,
      eventSourceArn: source,
      startingPosition: start as MappingSpec['startingPosition'],
    };
    const set = <K extends keyof MappingSpec>(key: K, value: MappingSpec[K] | undefined) => {
      if (value !== undefined) mapping[key] = value;
    };
    const seconds = (key: string) => {
      const v = p.num(key);
      return v === undefined ? undefined : v * 1000;
    };
    set('startingPositionTimestamp', seconds('StartingPositionTimestamp'));
    set('batchSize', p.num('BatchSize'));
    set('enabled', p.bool('Enabled'));
    set('maximumBatchingWindowMs', seconds('MaximumBatchingWindowInSeconds'));
    set('maximumRetryAttempts', p.num('MaximumRetryAttempts'));
    set('maximumRecordAgeSec', p.num('MaximumRecordAgeInSeconds'));
    set('bisectBatchOnFunctionError', p.bool('BisectBatchOnFunctionError'));
    set('parallelizationFactor', p.num('ParallelizationFactor'));
    const types = p.raw('FunctionResponseTypes');
    if (types !== undefined) {
      if (Array.isArray(types) && types.every((t) => t === 'ReportBatchItemFailures')) {
        mapping.functionResponseTypes = types as 'ReportBatchItemFailures'[];
      } else p.report('FunctionResponseTypes', `must be [ReportBatchItemFailures] or [], got ${show(types)}`);
    }
    const destination = p.sub('DestinationConfig');
    destination?.allow(['OnFailure']);
    const onFailure = destination?.sub('OnFailure');
    onFailure?.allow(['Destination', 'Type']);
    set('onFailure', onFailure?.str('Destination', true));
    return mapping;
  }

  #eventInvokeConfig(functionName: string, where: string, p: Props): void {
    p.allow(['MaximumEventAgeInSeconds', 'MaximumRetryAttempts', 'DestinationConfig']);
    const config: EventInvokeConfigSpec = { functionName };
    const age = p.num('MaximumEventAgeInSeconds');
    if (age !== undefined) config.maximumEventAgeSec = age;
    const retries = p.num('MaximumRetryAttempts');
    if (retries !== undefined) config.maximumRetryAttempts = retries;
    const destinations = p.sub('DestinationConfig');
    destinations?.allow(['OnSuccess', 'OnFailure']);
    for (const [key, field] of [
      ['OnSuccess', 'onSuccess'],
      ['OnFailure', 'onFailure'],
    ] as const) {
      const d = destinations?.sub(key);
      if (!d) continue;
      d.allow(['Type', 'Destination']);
      const type = d.str('Type', true);
      if (type !== undefined && type !== 'Lambda' && type !== 'S3Bucket') {
        d.report('Type', `destination type ${show(type)} is not supported (Lambda and S3Bucket are)`);
      }
      const arn = d.str('Destination', true);
      if (arn !== undefined) config[field] = arn;
    }
    this.#out.push(this.#out.eventInvokeConfigs, config, `${where} EventInvokeConfig`);
  }

  #bucket(id: string, where: string, p: Props): void {
    p.allow(['BucketName', 'NotificationConfiguration', 'Tags']);
    const name = this.#ref(id);
    const config = p.sub('NotificationConfiguration');
    config?.allow(['LambdaConfigurations']);
    const lambdas = config?.raw('LambdaConfigurations');
    if (config && !Array.isArray(lambdas)) config.report('LambdaConfigurations', 'must be a list');
    (Array.isArray(lambdas) ? lambdas : []).forEach((entry, i) => {
      const c = config?.sub(`LambdaConfigurations[${i}]`, entry);
      if (!c) return;
      c.allow(['Event', 'Function', 'Filter']);
      const event = c.str('Event', true);
      const functionArn = c.str('Function', true);
      const filter = this.#s3Filter(c.sub('Filter'));
      if (event === undefined || functionArn === undefined) return;
      this.#out.notify(name, { functionArn, events: [event], ...(filter ? { filter } : {}) });
    });
    this.#out.push(this.#out.buckets, { name }, where);
  }

  #stream(id: string, where: string, p: Props): void {
    p.allow(['Name', 'ShardCount', 'RetentionPeriodHours', 'StreamModeDetails', 'Tags']);
    const mode = p.sub('StreamModeDetails');
    mode?.allow(['StreamMode']);
    const streamMode = mode?.str('StreamMode');
    if (streamMode !== undefined && streamMode !== 'PROVISIONED') {
      mode?.report('StreamMode', `only PROVISIONED streams are supported, got ${show(streamMode)}`);
    }
    const stream: StreamSpec = { name: this.#ref(id) };
    const shards = p.num('ShardCount');
    if (shards !== undefined) stream.shardCount = shards;
    const retention = p.num('RetentionPeriodHours');
    if (retention !== undefined) stream.retentionHours = retention;
    this.#out.push(this.#out.streams, stream, where);
  }

  #table(id: string, where: string, p: Props): void {
    p.allow([
      'TableName',
      'AttributeDefinitions',
      'KeySchema',
      'StreamSpecification',
      'BillingMode',
      'ProvisionedThroughput',
      'Tags',
    ]);
    const types = new Map<string, string>();
    const defs = p.raw('AttributeDefinitions');
    (Array.isArray(defs) ? defs : []).forEach((d, i) => {
      if (isObject(d) && typeof d.AttributeName === 'string' && typeof d.AttributeType === 'string') {
        types.set(d.AttributeName, d.AttributeType);
      } else
        p.report(`AttributeDefinitions[${i}]`, `must be { AttributeName, AttributeType }, got ${show(d)}`);
    });
    const key = (role: 'HASH' | 'RANGE') => {
      const schema = p.raw('KeySchema');
      const entry = (Array.isArray(schema) ? schema : []).find((k) => isObject(k) && k.KeyType === role);
      if (!isObject(entry) || typeof entry.AttributeName !== 'string') return undefined;
      const type = types.get(entry.AttributeName);
      if (type !== 'S' && type !== 'N' && type !== 'B') {
        p.report('AttributeDefinitions', `must define ${entry.AttributeName} with AttributeType S, N or B`);
        return undefined;
      }
      return { name: entry.AttributeName, type: type as 'S' | 'N' | 'B' };
    };
    const partitionKey = key('HASH');
    if (!partitionKey) {
      p.report('KeySchema', 'must name a HASH key');
      return;
    }
    const table: TableSpec = { name: this.#ref(id), partitionKey };
    const sortKey = key('RANGE');
    if (sortKey) table.sortKey = sortKey;
    const stream = p.sub('StreamSpecification');
    stream?.allow(['StreamViewType']);
    const view = stream?.str('StreamViewType', true);
    if (view !== undefined) table.streamViewType = view as TableSpec['streamViewType'];
    this.#out.push(this.#out.tables, table, where);
  }

  #role(id: string, where: string, p: Props): void {
    p.allow([
      'RoleName',
      'AssumeRolePolicyDocument',
      'Policies',
      'ManagedPolicyArns',
      'Path',
      'Description',
      'MaxSessionDuration',
      'Tags',
    ]);
    const policies: Record<string, PolicyInput> = Object.create(null);
    const arns = p.raw('ManagedPolicyArns');
    (Array.isArray(arns) ? arns : []).forEach((arn, i) => {
      const known = typeof arn === 'string' ? managedPolicy(arn) : undefined;
      if (known) policies[known.name] = known.document;
      else
        p.report(
          `ManagedPolicyArns[${i}]`,
          `managed policy ${show(arn)} is not known here (known: ${MANAGED_POLICY_NAMES.join(', ')})`,
        );
    });
    const inline = p.raw('Policies');
    (Array.isArray(inline) ? inline : []).forEach((entry, i) => {
      if (isObject(entry) && typeof entry.PolicyName === 'string' && entry.PolicyDocument !== undefined) {
        policies[entry.PolicyName] = entry.PolicyDocument as PolicyInput;
      } else p.report(`Policies[${i}]`, `must be { PolicyName, PolicyDocument }, got ${show(entry)}`);
    });
    const trust = p.raw('AssumeRolePolicyDocument');
    if (trust === undefined) p.report('AssumeRolePolicyDocument', 'is required');
    const role: RoleSpec = {
      name: this.#ref(id),
      assumeRolePolicy: (trust ?? {}) as RoleSpec['assumeRolePolicy'],
      policies,
    };
    const path = p.str('Path');
    if (path !== undefined) role.path = path;
    const description = p.str('Description');
    if (description !== undefined) role.description = description;
    this.#out.push(this.#out.roles, role, where);
  }

  #permission(id: string, where: string, p: Props): void {
    p.allow(['FunctionName', 'Action', 'Principal', 'SourceArn', 'SourceAccount']);
    const permission: PermissionSpec = {
      functionName: functionNameOf(p.str('FunctionName', true) ?? ''),
      statementId: id,
      action: p.str('Action', true) ?? '',
      principal: p.str('Principal', true) ?? '',
    };
    const sourceArn = p.str('SourceArn');
    if (sourceArn !== undefined) permission.sourceArn = sourceArn;
    const sourceAccount = p.str('SourceAccount');
    if (sourceAccount !== undefined) permission.sourceAccount = sourceAccount;
    this.#out.push(this.#out.permissions, permission, where);
  }
}

const MAPPING_PROPS = [
  'StartingPosition',
  'StartingPositionTimestamp',
  'BatchSize',
  'Enabled',
  'MaximumBatchingWindowInSeconds',
  'MaximumRetryAttempts',
  'BisectBatchOnFunctionError',
  'MaximumRecordAgeInSeconds',
  'ParallelizationFactor',
  'FunctionResponseTypes',
  'DestinationConfig',
];

/** A function's name from a name or an ARN (`...:function:name`). */
function functionNameOf(nameOrArn: string): string {
  const at = nameOrArn.indexOf(':function:');
  return at < 0 ? nameOrArn : nameOrArn.slice(at + ':function:'.length).split(':')[0]!;
}

/** Typed reads of a resolved properties object; each problem is reported with its path. */
class Props {
  constructor(
    readonly value: Obj,
    readonly at: At,
    readonly reporter: (at: At, message: string) => void,
  ) {}

  report(field: string, message: string): void {
    this.reporter({ resource: this.at.resource, field: `${this.at.field}.${field}` }, message);
  }

  allow(keys: readonly string[]): void {
    const known = new Set(keys);
    for (const key of Object.keys(this.value)) {
      if (!known.has(key)) this.report(key, `property ${key} is not supported`);
    }
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  str(key: string, required = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (required) this.report(key, 'is required');
      return undefined;
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.report(key, `must be a string, got ${show(v)}`);
    return undefined;
  }

  /** A number, or a numeric string (what `Ref` to a Number parameter gives). */
  num(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    this.report(key, `must be a number, got ${show(v)}`);
    return undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    this.report(key, `must be true or false, got ${show(v)}`);
    return undefined;
  }

  /** A nested object as Props (`value` given for list items); undefined and reported if not an object. */
  sub(key: string, value: unknown = this.raw(key)): Props | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      this.report(key, `must be an object, got ${show(value)}`);
      return undefined;
    }
    return new Props(value, { resource: this.at.resource, field: `${this.at.field}.${key}` }, this.reporter);
  }
}

export function translateTemplate(
  template: SamTemplate,
  options: TranslateOptions,
): { spec: PipelineSpec; origins: ReadonlyMap<object, string> } {
  return new Translator(options).run(template);
}
