/**
 * The one check of an options argument as a whole, used by every public method that takes
 * options: `undefined` means "no options"; anything else must be a plain object; a key the
 * method does not know is refused with a message naming it (a misspelt option silently ignored
 * is worse than an error); each known key is checked by its field rule, which also types it.
 *
 * @example
 * const o = readOptions(options, { limit: integer(1, 10_000) }, 'InvalidArgumentException');
 * o.limit; // number | undefined
 */
import { type ErrorCode, fail } from '../errors.js';
import { showValue } from './text.js';

/** Checks one field's value (never `undefined`: an absent field is skipped); `path` names it. */
export type FieldRule<T> = (value: unknown, path: string, code: ErrorCode) => T;

export type OptionsSpec = Readonly<Record<string, FieldRule<unknown>>>;

/** The checked options: each known field typed by its rule, absent when not given. */
export type OptionsOf<S extends OptionsSpec> = { [K in keyof S]?: ReturnType<S[K]> };

export interface ReadOptionsSettings<S extends OptionsSpec> {
  /** How messages name the argument; default 'options'. */
  readonly label?: string;
  /** Fields that must be present (not undefined). */
  readonly required?: readonly (keyof S & string)[];
}

/** Whether `value` is an object literal (Object.prototype or null prototype), not an array or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks `input` against `spec`; throws `code` naming the first bad or unknown option. */
export function readOptions<S extends OptionsSpec>(
  input: unknown,
  spec: S,
  code: ErrorCode,
  settings: ReadOptionsSettings<S> = {},
): OptionsOf<S> {
  const label = settings.label ?? 'options';
  if (input === undefined && (settings.required ?? []).length === 0) return {};
  if (!isPlainObject(input)) fail(code, `${label} must be an object, got ${showValue(input)}`);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(spec, key)) {
      fail(code, `${label}.${key} is not a known option (known: ${Object.keys(spec).join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(spec)) {
    const value = Object.hasOwn(input, key) ? input[key] : undefined;
    if (value === undefined) {
      if (settings.required?.includes(key)) fail(code, `${label}.${key} is required`);
      continue;
    }
    out[key] = rule(value, `${label}.${key}`, code);
  }
  return out as OptionsOf<S>;
}

/** A field that takes any value (its own checks run later, or it is an opaque user value). */
export function anyValue<T = unknown>(): FieldRule<T> {
  return (value) => value as T;
}

export function stringValue(options: { empty?: boolean } = {}): FieldRule<string> {
  return (value, path, code) => {
    if (typeof value !== 'string' || (!options.empty && value.length === 0)) {
      fail(code, `${path} must be a ${options.empty ? '' : 'non-empty '}string, got ${showValue(value)}`);
    }
    return value;
  };
}

export function integer(min: number, max: number): FieldRule<number> {
  return (value, path, code) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(code, `${path} must be an integer from ${min} to ${max}, got ${showValue(value)}`);
    }
    return value;
  };
}

export function booleanValue(): FieldRule<boolean> {
  return (value, path, code) => {
    if (typeof value !== 'boolean') fail(code, `${path} must be true or false, got ${showValue(value)}`);
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[]): FieldRule<T> {
  return (value, path, code) => {
    if (!values.includes(value as T)) {
      fail(code, `${path} must be one of ${values.join(', ')}, got ${showValue(value)}`);
    }
    return value as T;
  };
}

/** A plain object whose fields are checked later (or by the rule's caller). */
export function plainObject<T = Record<string, unknown>>(): FieldRule<T> {
  return (value, path, code) => {
    if (!isPlainObject(value)) fail(code, `${path} must be an object, got ${showValue(value)}`);
    return value as T;
  };
}

/** Adapts a validator that takes only the value (and throws its own coded error). */
export function by<T>(check: (value: unknown) => T): FieldRule<T> {
  return (value) => check(value);
}
