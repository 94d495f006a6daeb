/** Validation of `engine.logs` arguments and options, with CloudWatch Logs' wording. */
import { fail } from '../../errors.js';
import { anyValue, readOptions } from '../../validation/options.js';
import type { LogsOptions } from './types.js';

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

export const LOGS_DEFAULTS = Object.freeze({ retentionDays: 30, persist: true, limit: 10_000 });

export interface ResolvedLogsOptions {
  readonly retentionInDays: number | undefined;
  readonly persist: boolean;
}

// Values are checked below, with their defaults applied.
const LOGS_OPTIONS = { retentionDays: anyValue<number | null>(), persist: anyValue<boolean>() } as const;

const NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export function resolveLogsOptions(options: LogsOptions | undefined): ResolvedLogsOptions {
  const given = readOptions(options, LOGS_OPTIONS, 'InvalidArgument', { label: 'options.logs' });
  const days = given.retentionDays === undefined ? LOGS_DEFAULTS.retentionDays : given.retentionDays;
  if (days !== null && !RETENTION_DAYS.has(days)) {
    fail(
      'InvalidArgument',
      `options.logs.retentionDays must be null or one of ${[...RETENTION_DAYS].join(', ')}, got ${JSON.stringify(days)}`,
    );
  }
  const persist = given.persist ?? LOGS_DEFAULTS.persist;
  if (typeof persist !== 'boolean') {
    fail('InvalidArgument', `options.logs.persist must be a boolean, got ${JSON.stringify(persist)}`);
  }
  return { retentionInDays: days ?? undefined, persist };
}

export function validateGroupName(name: unknown, field = 'logGroupName'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(
      'InvalidParameterException',
      `${field} must be 1-512 characters of [.-_/#A-Za-z0-9], got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function validateStreamName(name: unknown, field = 'logStreamName'): string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > 512 ||
    name.includes(':') ||
    name.includes('*') ||
    name.includes('\0')
  ) {
    fail(
      'InvalidParameterException',
      `${field} must be 1-512 characters without ':' or '*', got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function validateRetention(days: unknown): number {
  if (typeof days !== 'number' || !RETENTION_DAYS.has(days)) {
    fail(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`,
    );
  }
  return days;
}

export function validateLimit(limit: unknown): number {
  if (limit === undefined) return LOGS_DEFAULTS.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LOGS_DEFAULTS.limit) {
    fail(
      'InvalidParameterException',
      `limit must be an integer from 1 to 10000, got ${JSON.stringify(limit)}`,
    );
  }
  return limit;
}

export function validateTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(
      'InvalidParameterException',
      `${field} must be milliseconds since the epoch, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function invalidToken(token: unknown): never {
  return fail('InvalidParameterException', `The specified nextToken is invalid: ${JSON.stringify(token)}`);
}

export function groupNotFound(name: string): never {
  return fail('ResourceNotFoundException', `The specified log group does not exist: ${name}`);
}

export function streamNotFound(group: string, stream: string): never {
  return fail('ResourceNotFoundException', `The specified log stream does not exist: ${group} ${stream}`);
}
