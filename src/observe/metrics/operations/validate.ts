/**
 * Checks shared by the metric operations, with CloudWatch's limits and error codes
 * (MissingParameter, InvalidParameterValue). Messages name the option and the value.
 */
import { LambdaliteError } from '../../../errors.js';
import type { MetricDimension } from '../types.js';

const MAX_NAME = 255;
const MAX_DIMENSION_VALUE = 1024;
export const MAX_DIMENSIONS = 30;

export function invalid(message: string): LambdaliteError {
  return new LambdaliteError('InvalidParameterValue', message);
}

function missing(option: string): LambdaliteError {
  return new LambdaliteError('MissingParameter', `${option} is required`);
}

/** A name of 1..255 characters (namespace, metric name, dimension name). */
export function checkName(value: unknown, option: string, required = true): string | undefined {
  if (value === undefined && !required) return undefined;
  if (value === undefined) throw missing(option);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME) {
    throw invalid(`${option} must be a string of 1 to ${MAX_NAME} characters, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A namespace a caller may write to: not AWS's own (`AWS/`), not starting with ':'. */
export function checkWritableNamespace(value: unknown, option: string): string {
  const namespace = checkName(value, option) as string;
  if (namespace.startsWith('AWS/')) {
    throw invalid(
      `The value ${namespace} for parameter ${option} is invalid: namespaces starting with AWS/ are reserved`,
    );
  }
  if (namespace.startsWith(':') || namespace.trim().length === 0) {
    throw invalid(`The value ${JSON.stringify(namespace)} for parameter ${option} is invalid`);
  }
  return namespace;
}

/** Up to 30 dimensions with distinct names (1..255) and values (1..1024). */
export function checkDimensions(value: unknown, option: string): readonly MetricDimension[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw invalid(`${option} must be an array of { name, value }, got ${JSON.stringify(value)}`);
  if (value.length > MAX_DIMENSIONS) {
    throw invalid(`${option} may hold at most ${MAX_DIMENSIONS} dimensions, got ${value.length}`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, i: number): MetricDimension => {
    const d = entry as { name?: unknown; value?: unknown } | null;
    const name = checkName(d?.name, `${option}[${i}].name`) as string;
    const dimValue = d?.value;
    if (typeof dimValue !== 'string' || dimValue.length === 0 || dimValue.length > MAX_DIMENSION_VALUE) {
      throw invalid(
        `${option}[${i}].value must be a string of 1 to ${MAX_DIMENSION_VALUE} characters, got ${JSON.stringify(dimValue)}`,
      );
    }
    if (seen.has(name)) throw invalid(`${option} names the dimension ${JSON.stringify(name)} twice`);
    seen.add(name);
    return { name, value: dimValue };
  });
}

/** Milliseconds from a number or a Date. */
export function checkTime(value: unknown, option: string): number {
  if (value === undefined) throw missing(option);
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw invalid(`${option} must be a time in milliseconds or a Date, got ${JSON.stringify(value)}`);
  }
  return ms;
}

export function checkObject(value: unknown, option: string): void {
  if (typeof value !== 'object' || value === null)
    throw invalid(`${option} must be an object, got ${JSON.stringify(value)}`);
}
