/**
 * The options argument of a public method: omitted is `{}`, anything but a plain object (null, a
 * string, an array...) is the caller's mistake, answered with the service's validation code
 * instead of a TypeError from reading a field of it.
 */
import { type ErrorCode, fail } from './errors.js';

export function optionsObject<T extends object>(
  value: T | undefined | null,
  name: string,
  code: ErrorCode,
): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const shown = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return fail(code, `${name} must be an object, got ${shown}`);
  }
  return value;
}
