/** Input rules of the table API; each throws ValidationException naming the value. */
import { LambdaliteError } from '../errors.js';
import { anyValue, booleanValue, integer, isPlainObject, oneOf, readOptions } from '../validation/options.js';
import { checkText, showValue } from '../validation/text.js';
import { checkAttributeName } from './marshal.js';
import {
  type CreateTableOptions,
  type ItemCondition,
  type KeyAttribute,
  type QueryInput,
  type SortKeyCondition,
  STREAM_VIEW_TYPES,
  type StreamViewType,
} from './model.js';

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
export const ITEM_MAX_BYTES = 400 * 1024;

function invalid(message: string): never {
  throw new LambdaliteError('ValidationException', message);
}

export function checkTableName(name: unknown): string {
  return checkText(name, 'tableName', {
    code: 'ValidationException',
    pattern: { test: TABLE_NAME, says: 'must be 3-255 characters of [a-zA-Z0-9_.-]' },
  });
}

const KEY_NAME = { code: 'ValidationException', maxBytes: 255 } as const;

function keyAttribute(value: unknown, option: string): KeyAttribute {
  if (typeof value === 'string') return { name: checkText(value, `${option} name`, KEY_NAME), type: 'S' };
  const attr = value as Partial<KeyAttribute> | null;
  if (
    !isPlainObject(attr) ||
    Object.keys(attr).some((k) => k !== 'name' && k !== 'type') ||
    !['S', 'N', 'B'].includes(attr.type ?? '')
  ) {
    invalid(
      `${option} must be { name, type: 'S' | 'N' | 'B' } or an attribute name, got ${showValue(value)}`,
    );
  }
  return { name: checkText(attr.name, `${option}.name`, KEY_NAME), type: attr.type as KeyAttribute['type'] };
}

const CREATE_TABLE = {
  partitionKey: (v: unknown, path: string) => keyAttribute(v, path),
  sortKey: (v: unknown, path: string) => keyAttribute(v, path),
  streamViewType: oneOf(STREAM_VIEW_TYPES),
} as const;

export function checkCreateTable(options: CreateTableOptions): {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  streamViewType?: StreamViewType;
} {
  const o = readOptions(options, CREATE_TABLE, 'ValidationException', { required: ['partitionKey'] });
  const partitionKey = o.partitionKey as KeyAttribute;
  const { sortKey, streamViewType: view } = o;
  if (sortKey && sortKey.name === partitionKey.name) {
    invalid(
      `options.sortKey must name another attribute than the partition key, got ${JSON.stringify(sortKey.name)}`,
    );
  }
  return { partitionKey, ...(sortKey ? { sortKey } : {}), ...(view ? { streamViewType: view } : {}) };
}

export function checkItemObject(item: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(item)) {
    invalid(`${what} must be an object of attributes, got ${showValue(item)}`);
  }
  return item;
}

function condition(value: unknown, path: string): ItemCondition {
  const keys = isPlainObject(value) ? Object.keys(value) : [];
  const kind = keys[0];
  if (keys.length !== 1 || (kind !== 'attributeExists' && kind !== 'attributeNotExists')) {
    invalid(
      `${path} must be { attributeExists: name } or { attributeNotExists: name }, got ${showValue(value)}`,
    );
  }
  const name = checkAttributeName((value as Record<string, unknown>)[kind], `${path}.${kind}`);
  return kind === 'attributeExists' ? { attributeExists: name } : { attributeNotExists: name };
}

/** putItem / updateItem / deleteItem options. */
export function checkWriteOptions(options: unknown): { condition?: ItemCondition } {
  return readOptions(options, { condition }, 'ValidationException');
}

const UPDATE = {
  set: (v: unknown, path: string) => checkItemObject(v, path),
  remove: (v: unknown, path: string): string[] => {
    if (!Array.isArray(v)) invalid(`${path} must be an array of attribute names, got ${showValue(v)}`);
    return v.map((name, i) => checkAttributeName(name, `${path}[${i}]`));
  },
} as const;

/** updateItem's `{ set?, remove? }`. */
export function checkUpdate(update: unknown): { set: Record<string, unknown>; remove: string[] } {
  const o = readOptions(update, UPDATE, 'ValidationException', { label: 'update' });
  return { set: o.set ?? {}, remove: o.remove ?? [] };
}

const QUERY = {
  partitionKey: anyValue(),
  sortKey: anyValue<SortKeyCondition>(),
  limit: integer(1, Number.MAX_SAFE_INTEGER),
  exclusiveStartKey: (v: unknown, path: string) => checkItemObject(v, path),
  scanIndexForward: booleanValue(),
} as const;

/** query's input as a whole (its key conditions are checked against the table's schema later). */
export function checkQueryInput(input: unknown): QueryInput {
  if (input === undefined) invalid('query needs { partitionKey, sortKey?, limit?, ... }');
  return readOptions(input, QUERY, 'ValidationException', { label: 'query' }) as QueryInput;
}
