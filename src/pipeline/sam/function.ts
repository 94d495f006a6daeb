/**
 * `AWS::Serverless::Function` as SAM expands it: the function, the execution role SAM generates
 * when it has no `Role` (Lambda's trust policy, AWSLambdaBasicExecutionRole, the event sources'
 * managed policies and its `Policies`), its EventInvokeConfig, and its Events: an S3 event becomes
 * a notification on its bucket plus the permission that lets S3 invoke the function, a Kinesis or
 * DynamoDB event an event source mapping.
 */
import type { PolicyInput } from '../../iam/types.js';
import { show } from '../errors.js';
import type { EventInvokeConfigSpec, FunctionSpec, MappingSpec, RoleSpec } from '../types.js';
import { generatedName } from './names.js';
import { MANAGED_POLICY_NAMES, managedPolicy } from './policies.js';
import { entries, isObject, type Props } from './props.js';
import type { TranslateScope } from './scope.js';

const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
  ],
};

export const MAPPING_PROPS = [
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
export function functionNameOf(nameOrArn: string): string {
  const at = nameOrArn.indexOf(':function:');
  return at < 0 ? nameOrArn : nameOrArn.slice(at + ':function:'.length).split(':')[0]!;
}

export function translateFunction(scope: TranslateScope, id: string, where: string, p: Props): void {
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
  const name = scope.ref(id);
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
    translateEvent(scope, id, name, where, eventName, event, p, managed);
  }
  const explicitRole = p.str('Role');
  const roleName = generatedName('role', scope.options.stack, `${id}Role`);
  const role = explicitRole ?? `arn:aws:iam::${scope.options.accountId}:role/${roleName}`;
  if (explicitRole !== undefined && p.raw('Policies') !== undefined) {
    p.report('Policies', 'cannot be given with Role (SAM adds Policies to the role it generates only)');
  }
  if (explicitRole === undefined) implicitRole(scope, id, roleName, p, managed);

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
  scope.out.push(scope.out.functions, fn, where);

  const invokeConfig = p.sub('EventInvokeConfig');
  if (invokeConfig) eventInvokeConfig(scope, name, where, invokeConfig);
}

function implicitRole(
  scope: TranslateScope,
  id: string,
  roleName: string,
  p: Props,
  managed: Map<string, unknown>,
): void {
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
  scope.out.push(scope.out.roles, role, `${id}Role (the execution role SAM generates for ${id})`);
}

function translateEvent(
  scope: TranslateScope,
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
  const functionArn = `arn:aws:lambda:${scope.options.region}:${scope.options.accountId}:function:${fnName}`;
  if (type === 'S3') {
    p.allow(['Bucket', 'Events', 'Filter']);
    const bucket = p.str('Bucket', true);
    if (bucket !== undefined && !scope.bucketNames.has(bucket)) {
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
    const filter = s3Filter(p.sub('Filter'));
    if (bucket === undefined) return;
    scope.out.notify(bucket, {
      id: `${id}${eventName}`,
      functionArn,
      events,
      ...(filter ? { filter } : {}),
    });
    // SAM's permission names the account only (naming the bucket too would make a cycle in
    // CloudFormation), so S3 of this account may invoke the function.
    scope.out.push(
      scope.out.permissions,
      {
        functionName: fnName,
        statementId: `${id}${eventName}Permission`,
        action: 'lambda:InvokeFunction',
        principal: 's3.amazonaws.com',
        sourceAccount: scope.options.accountId,
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
    const mapping = mappingOf(p, fnName, 'Stream');
    if (mapping) {
      scope.out.push(
        scope.out.mappings,
        mapping,
        `${id}${eventName} (the event source mapping SAM generates for ${where} event ${eventName})`,
      );
    }
    return;
  }
  ev.report('Type', `event type ${show(type)} is not supported (S3, Kinesis and DynamoDB are)`);
}

export function s3Filter(filter: Props | undefined): { prefix?: string; suffix?: string } | undefined {
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

export function mappingOf(p: Props, functionName: string, sourceKey: string): MappingSpec | undefined {
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

function eventInvokeConfig(scope: TranslateScope, functionName: string, where: string, p: Props): void {
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
  scope.out.push(scope.out.eventInvokeConfigs, config, `${where} EventInvokeConfig`);
}
