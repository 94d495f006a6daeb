/**
 * Plain JS values <-> DynamoDB JSON. Mapping: string S, number/bigint N (decimal string),
 * boolean BOOL, null NULL, Buffer/Uint8Array B (base64), array L, plain object M,
 * Set<string> SS, Set<number|bigint> NS, Set<Uint8Array> BS. `undefined`, NaN, Infinity,
 * empty sets and other types are rejected with ValidationException. Unmarshalled N values come
 * back as numbers, B as Buffers, sets as Sets.
 */
import { LambdaliteError } from '../errors.js';
import { checkText, setOwn } from '../validation/text.js';
import type { AttributeMap, AttributeValue, Item } from './model.js';

function invalid(path: string, message: string): never {
  throw new LambdaliteError('ValidationException', `item attribute ${path} ${message}`);
}

/** DynamoDB nests maps and lists at most 32 levels deep. */
export const MAX_NESTING = 32;
/** DynamoDB numbers: magnitude below 1E+126, at least 1E-130 (or 0), 38 significant digits. */
const NUMBER_MAX = 1e126;
const NUMBER_MIN = 1e-130;
const NUMBER_DIGITS = 38;

const ATTRIBUTE_NAME = { code: 'ValidationException' } as const;

/** The problem with `value` as a DynamoDB number, or undefined when it fits (shared with key-codec). */
export function numberProblem(value: number | bigint): string | undefined {
  if (typeof value === 'bigint') {
    const digits = (value < 0n ? -value : value).toString().replace(/0+$/, '');
    return digits.length > NUMBER_DIGITS
      ? `has more than ${NUMBER_DIGITS} significant digits (DynamoDB's precision)`
      : undefined;
  }
  if (!Number.isFinite(value)) return `must be a finite number, got ${value}`;
  const magnitude = Math.abs(value);
  if (magnitude >= NUMBER_MAX)
    return `is out of DynamoDB's number range (magnitude below 1E+126), got ${value}`;
  if (magnitude !== 0 && magnitude < NUMBER_MIN) {
    return `is out of DynamoDB's number range (magnitude at least 1E-130), got ${value}`;
  }
  return undefined;
}

function numberText(value: number | bigint, path: string): string {
  const problem = numberProblem(value);
  if (problem) invalid(path, problem);
  return String(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The maps and lists being marshalled above the current value, to refuse a value that contains
 * itself; with the depth bound this keeps a hostile item from overflowing the stack.
 */
type Ancestors = Set<object>;

function enter(value: object, path: string, depth: number, ancestors: Ancestors): void {
  if (ancestors.has(value)) invalid(path, 'is circular: it contains itself');
  if (depth >= MAX_NESTING) {
    invalid(path, `nests deeper than ${MAX_NESTING} levels of maps and lists (DynamoDB's limit)`);
  }
  ancestors.add(value);
}

export function marshalValue(
  value: unknown,
  path: string,
  depth = 0,
  ancestors: Ancestors = new Set(),
): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
    case 'bigint':
      return { N: numberText(value, path) };
    case 'boolean':
      return { BOOL: value };
    case 'object': {
      if (value === null) return { NULL: true };
      if (value instanceof Uint8Array)
        return { B: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      if (value instanceof Set) return marshalSet(value, path);
      if (!Array.isArray(value) && !isPlainObject(value)) {
        return invalid(path, `has an unsupported type ${value.constructor?.name ?? 'object'}`);
      }
      enter(value, path, depth, ancestors);
      const nested: AttributeValue = Array.isArray(value)
        ? { L: value.map((v, i) => marshalValue(v, `${path}[${i}]`, depth + 1, ancestors)) }
        : { M: marshalAttributes(value as Item, `${path}.`, depth + 1, ancestors) };
      ancestors.delete(value);
      return nested;
    }
    default:
      return invalid(path, `has an unsupported type ${typeof value}`);
  }
}

function marshalSet(set: Set<unknown>, path: string): AttributeValue {
  const members = [...set];
  if (members.length === 0) invalid(path, 'is an empty set; DynamoDB sets need at least one member');
  if (members.every((m) => typeof m === 'string')) return { SS: members as string[] };
  if (members.every((m) => typeof m === 'number' || typeof m === 'bigint')) {
    return { NS: members.map((m) => numberText(m as number | bigint, path)) };
  }
  if (members.every((m) => m instanceof Uint8Array)) {
    return { BS: members.map((m) => Buffer.from(m as Uint8Array).toString('base64')) };
  }
  return invalid(path, 'is a Set mixing types; use Set<string>, Set<number> or Set<Uint8Array>');
}

/** Checks an attribute name (non-empty, valid UTF-8) with the shared key-and-name check. */
export function checkAttributeName(name: unknown, where: string): string {
  return checkText(name, where, ATTRIBUTE_NAME);
}

function marshalAttributes(item: Item, prefix: string, depth: number, ancestors: Ancestors): AttributeMap {
  const out: AttributeMap = {};
  for (const [name, value] of Object.entries(item)) {
    checkAttributeName(name, `item attribute name ${JSON.stringify(`${prefix}${name}`)}`);
    if (value === undefined) invalid(`${prefix}${name}`, 'is undefined; remove the attribute or use null');
    setOwn(out, name, marshalValue(value, `${prefix}${name}`, depth, ancestors));
  }
  return out;
}

/** A plain item as a DynamoDB JSON attribute map; own `__proto__` attributes included. */
export function marshalItem(item: Item, prefix = ''): AttributeMap {
  const ancestors: Ancestors = new Set([item]);
  return marshalAttributes(item, prefix, 0, ancestors);
}

export function unmarshalValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('B' in value) return Buffer.from(value.B, 'base64');
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return unmarshalItem(value.M);
  if ('L' in value) return value.L.map(unmarshalValue);
  if ('SS' in value) return new Set(value.SS);
  if ('NS' in value) return new Set(value.NS.map(Number));
  return new Set(value.BS.map((b) => Buffer.from(b, 'base64')));
}

export function unmarshalItem(map: AttributeMap): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(map)) setOwn(out, name, unmarshalValue(value));
  return out;
}

/** A canonical text (sorted map keys and set members) to tell whether two items differ. */
export function canonical(map: AttributeMap): string {
  const sortValue = (v: AttributeValue): unknown => {
    if ('M' in v) return { M: sortMap(v.M) };
    if ('L' in v) return { L: v.L.map(sortValue) };
    if ('SS' in v) return { SS: [...v.SS].sort() };
    if ('NS' in v) return { NS: v.NS.map(Number).sort((a, b) => a - b) };
    if ('BS' in v) return { BS: [...v.BS].sort() };
    return v;
  };
  const sortMap = (m: AttributeMap): Array<[string, unknown]> =>
    Object.keys(m)
      .sort()
      .map((k) => [k, sortValue(m[k] as AttributeValue)]);
  return JSON.stringify(sortMap(map));
}

function numberSize(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace('.', '')
    .replace(/e.*$/i, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(v: AttributeValue): number {
  if ('S' in v) return Buffer.byteLength(v.S, 'utf8');
  if ('N' in v) return numberSize(v.N);
  if ('B' in v) return Buffer.byteLength(v.B, 'base64');
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('M' in v)
    return (
      3 + Object.entries(v.M).reduce((n, [k, x]) => n + Buffer.byteLength(k, 'utf8') + valueSize(x) + 1, 0)
    );
  if ('L' in v) return 3 + v.L.reduce((n, x) => n + valueSize(x) + 1, 0);
  if ('SS' in v) return v.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if ('NS' in v) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  return v.BS.reduce((n, s) => n + Buffer.byteLength(s, 'base64'), 0);
}

/** DynamoDB's item size: attribute name bytes plus value sizes (numbers ~1 byte per 2 digits + 1). */
export function itemSize(map: AttributeMap | undefined): number {
  if (!map) return 0;
  return Object.entries(map).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
}
