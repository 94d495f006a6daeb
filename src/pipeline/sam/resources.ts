/**
 * The plain CloudFormation resources: `AWS::S3::Bucket` (with its LambdaConfigurations),
 * `AWS::Kinesis::Stream`, `AWS::DynamoDB::Table` (keys and StreamSpecification), `AWS::IAM::Role`
 * and `AWS::Lambda::Permission`.
 */
import type { PolicyInput } from '../../iam/types.js';
import { show } from '../errors.js';
import type { PermissionSpec, RoleSpec, StreamSpec, TableSpec } from '../types.js';
import { functionNameOf, s3Filter } from './function.js';
import { MANAGED_POLICY_NAMES, managedPolicy } from './policies.js';
import { isObject, type Props } from './props.js';
import type { TranslateScope } from './scope.js';

export function translateBucket(scope: TranslateScope, id: string, where: string, p: Props): void {
  p.allow(['BucketName', 'NotificationConfiguration', 'Tags']);
  const name = scope.ref(id);
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
    const filter = s3Filter(c.sub('Filter'));
    if (event === undefined || functionArn === undefined) return;
    scope.out.notify(name, { functionArn, events: [event], ...(filter ? { filter } : {}) });
  });
  scope.out.push(scope.out.buckets, { name }, where);
}

export function translateStream(scope: TranslateScope, id: string, where: string, p: Props): void {
  p.allow(['Name', 'ShardCount', 'RetentionPeriodHours', 'StreamModeDetails', 'Tags']);
  const mode = p.sub('StreamModeDetails');
  mode?.allow(['StreamMode']);
  const streamMode = mode?.str('StreamMode');
  if (streamMode !== undefined && streamMode !== 'PROVISIONED') {
    mode?.report('StreamMode', `only PROVISIONED streams are supported, got ${show(streamMode)}`);
  }
  const stream: StreamSpec = { name: scope.ref(id) };
  const shards = p.num('ShardCount');
  if (shards !== undefined) stream.shardCount = shards;
  const retention = p.num('RetentionPeriodHours');
  if (retention !== undefined) stream.retentionHours = retention;
  scope.out.push(scope.out.streams, stream, where);
}

export function translateTable(scope: TranslateScope, id: string, where: string, p: Props): void {
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
    } else p.report(`AttributeDefinitions[${i}]`, `must be { AttributeName, AttributeType }, got ${show(d)}`);
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
  const table: TableSpec = { name: scope.ref(id), partitionKey };
  const sortKey = key('RANGE');
  if (sortKey) table.sortKey = sortKey;
  const stream = p.sub('StreamSpecification');
  stream?.allow(['StreamViewType']);
  const view = stream?.str('StreamViewType', true);
  if (view !== undefined) table.streamViewType = view as TableSpec['streamViewType'];
  scope.out.push(scope.out.tables, table, where);
}

export function translateRole(scope: TranslateScope, id: string, where: string, p: Props): void {
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
    name: scope.ref(id),
    assumeRolePolicy: (trust ?? {}) as RoleSpec['assumeRolePolicy'],
    policies,
  };
  const path = p.str('Path');
  if (path !== undefined) role.path = path;
  const description = p.str('Description');
  if (description !== undefined) role.description = description;
  scope.out.push(scope.out.roles, role, where);
}

export function translatePermission(scope: TranslateScope, id: string, where: string, p: Props): void {
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
  scope.out.push(scope.out.permissions, permission, where);
}
