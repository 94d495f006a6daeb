/**
 * Item keys in LevelDB: `uid \0 partition \0 sort`, each part encoded so byte order is
 * DynamoDB's order: S as itself (UTF-8 byte order; NUL is not allowed in key strings), N as the
 * 16 hex digits of an order-preserving float64, B as hex.
 */
import { LambdaliteError } from '../errors.js';
import { SEP } from '../storage/keys.js';
import { checkText, setOwn } from '../validation/text.js';
import { numberProblem } from './marshal.js';
import type { Item, KeyAttribute, TableMeta } from './model.js';

const KEY_TEXT = { code: 'ValidationException' } as const;

export function encodeKeyPart(attr: KeyAttribute, value: unknown, role: string): string {
  const bad = (): never => {
    throw new LambdaliteError(
      'ValidationException',
      `The provided key element does not match the schema: ${role} '${attr.name}' must be of type ${attr.type}, got ${
        value === undefined ? 'nothing' : JSON.stringify(value)
      }`,
    );
  };
  if (attr.type === 'S') {
    if (typeof value !== 'string' || value.length === 0) return bad();
    checkText(value, `${role} '${attr.name}'`, KEY_TEXT);
    if (value.includes('\0')) {
      throw new LambdaliteError(
        'ValidationException',
        `${role} '${attr.name}' must not contain NUL characters`,
      );
    }
    return value;
  }
  if (attr.type === 'N') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return bad();
    const problem = numberProblem(value);
    if (problem) throw new LambdaliteError('ValidationException', `${role} '${attr.name}' ${problem}`);
    const buf = Buffer.alloc(8);
    buf.writeDoubleBE(value === 0 ? 0 : value);
    if ((buf[0] ?? 0) & 0x80) for (let i = 0; i < 8; i++) buf[i] = ~(buf[i] ?? 0) & 0xff;
    else buf[0] = (buf[0] ?? 0) | 0x80;
    return buf.toString('hex');
  }
  if (!(value instanceof Uint8Array) || value.byteLength === 0) return bad();
  return Buffer.from(value).toString('hex');
}

/** The plain key attributes of an item (or key object), checked against the schema. */
export function keyOf(meta: TableMeta, item: Item, role = 'key'): Item {
  const key: Item = {};
  setOwn(key, meta.partitionKey.name, ownValue(item, meta.partitionKey.name));
  encodeKeyPart(meta.partitionKey, key[meta.partitionKey.name], `${role} partition key`);
  if (meta.sortKey) {
    setOwn(key, meta.sortKey.name, ownValue(item, meta.sortKey.name));
    encodeKeyPart(meta.sortKey, key[meta.sortKey.name], `${role} sort key`);
  }
  return key;
}

/** An attribute of a user's item: own properties only (a key named 'constructor' is not Object). */
function ownValue(item: Item, name: string): unknown {
  return Object.hasOwn(item, name) ? item[name] : undefined;
}

/** The storage key of the item with these key attributes. */
export function itemKey(meta: TableMeta, key: Item): string {
  const pk = encodeKeyPart(meta.partitionKey, key[meta.partitionKey.name], 'partition key');
  if (!meta.sortKey) return meta.uid + SEP + pk;
  return meta.uid + SEP + pk + SEP + encodeKeyPart(meta.sortKey, key[meta.sortKey.name], 'sort key');
}

/** Prefix of every item with this partition key value (tables with a sort key). */
export function partitionPrefix(meta: TableMeta, partitionValue: unknown): string {
  return meta.uid + SEP + encodeKeyPart(meta.partitionKey, partitionValue, 'partition key') + SEP;
}
