/**
 * Bucket notification configuration (reference §1.2): validation of a whole configuration
 * (event names, ids, filters, overlap, function ARNs) and matching of one event against it.
 */
import { randomBytes } from 'node:crypto';
import { FUNCTION_NAME_CHARS, tryParseArn } from '../arn.js';
import { fail } from '../errors.js';
import { expandEventName } from './event-types.js';

/** The resource part of a function's ARN: `function:<name>`, with an optional qualifier. */
const FUNCTION_RESOURCE = new RegExp(`^function:${FUNCTION_NAME_CHARS}(:[A-Za-z0-9$_-]+)?$`);

/** One lambda function configuration as callers give it. */
export interface LambdaFunctionConfigurationInput {
  id?: string;
  functionArn: string;
  /** Event types with the `s3:` prefix, e.g. 's3:ObjectCreated:*'. */
  events: string[];
  /** Literal key prefix / suffix; AWS's `{ key: { filterRules: [{ name, value }] } }` also works. */
  filter?: {
    prefix?: string;
    suffix?: string;
    key?: { filterRules: Array<{ name: string; value: string }> };
  };
  /** The 2014 invocation role ARN; checked once IAM lands. */
  invocationRole?: string;
}

export interface NotificationConfigurationInput {
  lambdaFunctionConfigurations?: LambdaFunctionConfigurationInput[];
}

/** A validated configuration entry, as stored and as returned. */
export interface LambdaFunctionConfiguration {
  id: string;
  functionArn: string;
  events: string[];
  filter?: { prefix?: string; suffix?: string };
  invocationRole?: string;
}

export interface NotificationConfiguration {
  lambdaFunctionConfigurations: LambdaFunctionConfiguration[];
}

function prefixesOverlap(a = '', b = ''): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function suffixesOverlap(a = '', b = ''): boolean {
  return a.endsWith(b) || b.endsWith(a);
}

function normaliseFilter(
  filter: LambdaFunctionConfigurationInput['filter'],
  where: string,
): { prefix?: string; suffix?: string } | undefined {
  if (filter === undefined) return undefined;
  if (filter === null || typeof filter !== 'object')
    fail('InvalidArgument', `${where}.filter must be an object`);
  const out: { prefix?: string; suffix?: string } = {};
  const rules: Array<{ name: string; value: string }> = [];
  if (filter.prefix !== undefined) rules.push({ name: 'prefix', value: filter.prefix });
  if (filter.suffix !== undefined) rules.push({ name: 'suffix', value: filter.suffix });
  for (const rule of filter.key?.filterRules ?? []) rules.push(rule);
  for (const rule of rules) {
    const name = typeof rule?.name === 'string' ? rule.name.toLowerCase() : '';
    if (name !== 'prefix' && name !== 'suffix') {
      fail(
        'InvalidArgument',
        `${where}.filter: filter rule name must be either prefix or suffix, got ${JSON.stringify(rule?.name)}`,
      );
    }
    if (typeof rule.value !== 'string') fail('InvalidArgument', `${where}.filter.${name} must be a string`);
    if (out[name] !== undefined)
      fail('InvalidArgument', `${where}.filter: cannot specify more than one ${name} rule`);
    out[name] = rule.value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export interface ValidationScope {
  region: string;
  accountId: string;
}

/**
 * Checks a whole configuration and returns it normalised (ids generated where absent). Function
 * existence is checked by the caller (it needs I/O).
 */
export function validateNotificationConfiguration(
  input: NotificationConfigurationInput,
  scope: ValidationScope,
): NotificationConfiguration {
  if (input === null || typeof input !== 'object')
    fail('InvalidArgument', 'notification configuration must be an object');
  const list = input.lambdaFunctionConfigurations ?? [];
  if (!Array.isArray(list)) fail('InvalidArgument', 'lambdaFunctionConfigurations must be an array');
  const ids = new Set<string>();
  const out: LambdaFunctionConfiguration[] = list.map((entry, i) => {
    const where = `lambdaFunctionConfigurations[${i}]`;
    if (entry === null || typeof entry !== 'object') fail('InvalidArgument', `${where} must be an object`);
    checkFunctionArn(entry.functionArn, where, scope);
    if (!Array.isArray(entry.events) || entry.events.length === 0) {
      fail('InvalidArgument', `${where}.events must list at least one event type, e.g. 's3:ObjectCreated:*'`);
    }
    for (const name of entry.events) {
      if (typeof name !== 'string' || expandEventName(name).length === 0) {
        fail(
          'InvalidArgument',
          `${where}.events: the event is not supported for notifications: ${JSON.stringify(name)}`,
        );
      }
    }
    if (entry.invocationRole !== undefined) {
      const role = tryParseArn(String(entry.invocationRole));
      if (role?.service !== 'iam' || !role.resource.startsWith('role/')) {
        fail(
          'InvalidArgument',
          `${where}.invocationRole must be an IAM role ARN, got ${JSON.stringify(entry.invocationRole)}`,
        );
      }
    }
    if (
      entry.id !== undefined &&
      (typeof entry.id !== 'string' || entry.id.length === 0 || entry.id.length > 1024)
    ) {
      fail(
        'InvalidArgument',
        `${where}.id must be a string of 1 to 1024 characters, got ${JSON.stringify(entry.id)}`,
      );
    }
    if (entry.id !== undefined && ids.has(entry.id)) {
      fail('InvalidArgument', `${where}.id: configuration id ${JSON.stringify(entry.id)} is not unique`);
    }
    if (entry.id !== undefined) ids.add(entry.id);
    const filter = normaliseFilter(entry.filter, where);
    const config: LambdaFunctionConfiguration = {
      id: entry.id ?? '',
      functionArn: entry.functionArn,
      events: [...entry.events],
    };
    if (filter) config.filter = filter;
    if (entry.invocationRole !== undefined) config.invocationRole = entry.invocationRole;
    return config;
  });
  for (const config of out) {
    if (config.id !== '') continue;
    do config.id = randomBytes(24).toString('base64url');
    while (ids.has(config.id));
    ids.add(config.id);
  }
  assertNoOverlap(out);
  return { lambdaFunctionConfigurations: out };
}

function checkFunctionArn(arnText: unknown, where: string, scope: ValidationScope): void {
  const arn = typeof arnText === 'string' ? tryParseArn(arnText) : undefined;
  if (arn?.service !== 'lambda' || !FUNCTION_RESOURCE.test(arn.resource)) {
    fail(
      'InvalidArgument',
      `${where}.functionArn must be a Lambda function ARN, got ${JSON.stringify(arnText)}`,
    );
  }
  if (arn.region !== scope.region) {
    fail(
      'InvalidArgument',
      `${where}.functionArn ${arnText} is in region ${arn.region}; the function must be in the bucket's region ${scope.region}`,
    );
  }
  if (arn.accountId !== scope.accountId) {
    fail(
      'InvalidArgument',
      `${where}.functionArn ${arnText} belongs to account ${arn.accountId}, not ${scope.accountId}`,
    );
  }
}

function assertNoOverlap(configs: readonly LambdaFunctionConfiguration[]): void {
  const types = configs.map((c) => new Set(c.events.flatMap(expandEventName)));
  for (let i = 0; i < configs.length; i++) {
    for (let j = i + 1; j < configs.length; j++) {
      const a = configs[i];
      const b = configs[j];
      const ta = types[i];
      const tb = types[j];
      if (!a || !b || !ta || !tb) continue;
      const shared = [...ta].some((t) => tb.has(t));
      if (
        shared &&
        prefixesOverlap(a.filter?.prefix, b.filter?.prefix) &&
        suffixesOverlap(a.filter?.suffix, b.filter?.suffix)
      ) {
        fail(
          'InvalidArgument',
          `Configurations overlap. Configurations on the same bucket cannot share a common event type: '${a.id}' and '${b.id}'`,
        );
      }
    }
  }
}

/** The configurations an event (`eventName` without 's3:', raw key) matches. */
export function matchingConfigurations(
  config: NotificationConfiguration,
  eventName: string,
  key: string,
): LambdaFunctionConfiguration[] {
  return config.lambdaFunctionConfigurations.filter(
    (c) =>
      c.events.some((e) => expandEventName(e).includes(eventName)) &&
      key.startsWith(c.filter?.prefix ?? '') &&
      key.endsWith(c.filter?.suffix ?? ''),
  );
}
