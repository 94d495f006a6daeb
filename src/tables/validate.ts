/** Input rules of the table API; each throws ValidationException naming the value. */
import { LambdaliteError } from '../errors.js';
import {
  type CreateTableOptions,
  type KeyAttribute,
  STREAM_VIEW_TYPES,
  type StreamViewType,
} from './model.js';

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
export const ITEM_MAX_BYTES = 400 * 1024;

function invalid(message: string): never {
  throw new LambdaliteError('ValidationException', message);
}

export function checkTableName(name: unknown): string {
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    invalid(`tableName must be 3-255 characters of [a-zA-Z0-9_.-], got ${JSON.stringify(name)}`);
  }
  return name;
}

function keyAttribute(value: unknown, option: string): KeyAttribute {
  if (typeof value === 'string' && value.length > 0) return { name: value, type: 'S' };
  const attr = value as Partial<KeyAttribute> | null;
  if (
    typeof attr !== 'object' ||
    attr === null ||
    typeof attr.name !== 'string' ||
    attr.name.length === 0 ||
    attr.name.length > 255 ||
    !['S', 'N', 'B'].includes(attr.type ?? '')
  ) {
    invalid(
      `${option} must be { name, type: 'S' | 'N' | 'B' } or an attribute name, got ${JSON.stringify(value)}`,
    );
  }
  return { name: attr.name, type: attr.type as KeyAttribute['type'] };
}

export function checkCreateTable(options: CreateTableOptions): {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  streamViewType?: StreamViewType;
} {
  if (typeof options !== 'object' || options === null) invalid('options with a partitionKey are required');
  const partitionKey = keyAttribute(options.partitionKey, 'options.partitionKey');
  const sortKey =
    options.sortKey === undefined ? undefined : keyAttribute(options.sortKey, 'options.sortKey');
  if (sortKey && sortKey.name === partitionKey.name) {
    invalid(
      `options.sortKey must name another attribute than the partition key, got ${JSON.stringify(sortKey.name)}`,
    );
  }
  const view = options.streamViewType;
  if (view !== undefined && !STREAM_VIEW_TYPES.includes(view)) {
    invalid(
      `options.streamViewType must be one of ${STREAM_VIEW_TYPES.join(', ')}, got ${JSON.stringify(view)}`,
    );
  }
  return { partitionKey, ...(sortKey ? { sortKey } : {}), ...(view ? { streamViewType: view } : {}) };
}

export function checkItemObject(item: unknown, what: string): Record<string, unknown> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    invalid(`${what} must be an object of attributes, got ${JSON.stringify(item)}`);
  }
  return item as Record<string, unknown>;
}
