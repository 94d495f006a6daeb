/**
 * The one check every string that becomes a key or a name goes through: bucket keys and
 * metadata names, table keys and attribute names, stream names and partition keys, function,
 * table and mapping names. Such strings are stored as UTF-8 (LevelDB keys, HTTP headers, hash
 * input), where a lone surrogate has no encoding and silently becomes U+FFFD, so two different
 * names would collide; they are refused instead.
 */
import { type ErrorCode, fail } from '../errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TextRule {
  /** The error code of the service the string belongs to. */
  readonly code: ErrorCode;
  /** Fewest characters (UTF-16 code units); default 1. */
  readonly minChars?: number;
  /** Most characters (UTF-16 code units). */
  readonly maxChars?: number;
  /** Most UTF-8 bytes. */
  readonly maxBytes?: number;
  /** What the whole string must match (anchored by the caller), with the words that describe it. */
  readonly pattern?: { readonly test: RegExp; readonly says: string };
}

/** A value as an error message shows it (strings quoted, long ones cut). */
export function showValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(typeof value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Whether `text` is well-formed UTF-16 (no lone surrogate), i.e. has a UTF-8 encoding. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Checks that `value` is a string usable as a key or a name under `rule`; throws the rule's code
 * with a message naming `what` and the value. Returns the string.
 */
export function checkText(value: unknown, what: string, rule: TextRule): string {
  if (typeof value !== 'string') fail(rule.code, `${what} must be a string, got ${showValue(value)}`);
  const min = rule.minChars ?? 1;
  if (value.length < min) {
    fail(
      rule.code,
      `${what} must be at least ${min} character${min === 1 ? '' : 's'}, got ${showValue(value)}`,
    );
  }
  if (rule.maxChars !== undefined && value.length > rule.maxChars) {
    fail(rule.code, `${what} must be at most ${rule.maxChars} characters, got ${value.length} characters`);
  }
  if (!isWellFormed(value)) {
    fail(rule.code, `${what} ${showValue(value)} is not valid UTF-8: it holds a lone surrogate`);
  }
  if (rule.maxBytes !== undefined) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > rule.maxBytes) {
      fail(rule.code, `${what} must be at most ${rule.maxBytes} UTF-8 bytes, got ${bytes} bytes`);
    }
  }
  if (rule.pattern && !rule.pattern.test.test(value)) {
    fail(rule.code, `${what} ${rule.pattern.says}, got ${showValue(value)}`);
  }
  return value;
}

/**
 * Sets `target[key] = value` as an own, enumerable property even when `key` is `'__proto__'`
 * (plain assignment would change the prototype, or do nothing, instead): user-chosen names
 * (attribute names, metadata names) then survive a round trip, and the result still has
 * Object.prototype, so users' deep-equality checks see an ordinary object.
 */
export function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
