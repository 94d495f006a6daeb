/**
 * DynamoDB JSON from the wire as the engine's plain values. Wire values are untrusted, so each
 * is checked for shape here (the engine then checks sizes, key types and the rest), and maps
 * are null-prototype records so an attribute named `__proto__` is just a name.
 */
import type { AttributeMap, Item } from '../../tables/model.js';
import type { JsonObject } from '../protocols/json.js';
import { WireError } from '../wire-error.js';

function invalid(path: string, why: string): never {
  throw new WireError(
    'ValidationException',
    400,
    `One or more parameter values were invalid: ${path} ${why}`,
  );
}

function strings(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    invalid(path, 'must be a non-empty list of strings');
  }
  return value as string[];
}

function number(text: unknown, path: string): number {
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(Number(text)))
    invalid(path, `is not a number: ${String(text)}`);
  return Number(text);
}

export function decodeValue(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(path, 'is not an attribute value');
  const entries = Object.entries(value);
  if (entries.length !== 1) invalid(path, 'must have exactly one type descriptor');
  const [type, inner] = entries[0]!;
  switch (type) {
    case 'S':
      if (typeof inner !== 'string') invalid(path, 'S must be a string');
      return inner;
    case 'N':
      return number(inner, path);
    case 'B':
      if (typeof inner !== 'string') invalid(path, 'B must be base64 text');
      return Buffer.from(inner, 'base64');
    case 'BOOL':
      if (typeof inner !== 'boolean') invalid(path, 'BOOL must be true or false');
      return inner;
    case 'NULL':
      if (inner !== true) invalid(path, 'NULL must be true');
      return null;
    case 'M':
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner))
        invalid(path, 'M must be a map');
      return decodeItem(inner as JsonObject, `${path}.`);
    case 'L':
      if (!Array.isArray(inner)) invalid(path, 'L must be a list');
      return inner.map((v, i) => decodeValue(v, `${path}[${i}]`));
    case 'SS':
      return new Set(strings(inner, path));
    case 'NS':
      return new Set(strings(inner, path).map((n) => number(n, path)));
    case 'BS':
      return new Set(strings(inner, path).map((b) => Buffer.from(b, 'base64')));
    default:
      return invalid(path, `has an unknown type descriptor ${type}`);
  }
}

/** A wire attribute map as a plain item (null-prototype). */
export function decodeItem(map: JsonObject, prefix = ''): Item {
  const out: Item = Object.create(null);
  for (const [name, value] of Object.entries(map)) out[name] = decodeValue(value, `${prefix}${name}`);
  return out;
}

/** Attribute values decoded from `ExpressionAttributeValues`, by placeholder. */
export function decodeValues(map: JsonObject | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(map ?? {})) out.set(name, decodeValue(value, name));
  return out;
}

export type { AttributeMap };
