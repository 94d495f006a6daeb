/**
 * Query: items of one partition key in sort-key order (or reverse), with a sort-key condition,
 * a limit and pagination, read with `nextv`.
 */
import { LambdaliteError } from '../errors.js';
import { encodeKeyPart, itemKey, keyOf, partitionPrefix } from './key-codec.js';
import { unmarshalItem } from './marshal.js';
import type { AttributeMap, QueryInput, QueryOutput, SortKeyCondition, TableMeta } from './model.js';
import { checkQueryInput } from './validate.js';

const OPS = ['eq', 'lt', 'lte', 'gt', 'gte', 'between', 'beginsWith'] as const;

interface Bounds {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  startsWith?: string;
}

function sortBounds(meta: TableMeta, prefix: string, condition: SortKeyCondition | undefined): Bounds {
  const all: Bounds = { gte: prefix, lt: prefix.slice(0, -1) + '\x01' };
  if (condition === undefined) return all;
  const sortKey = meta.sortKey;
  const keys = typeof condition === 'object' && condition !== null ? Object.keys(condition) : [];
  const op = keys[0] as (typeof OPS)[number] | undefined;
  if (!sortKey || keys.length !== 1 || op === undefined || !OPS.includes(op)) {
    throw new LambdaliteError(
      'ValidationException',
      sortKey
        ? `query sortKey must have exactly one of ${OPS.join(', ')}, got ${JSON.stringify(condition)}`
        : `table ${meta.name} has no sort key; query sortKey is not allowed`,
    );
  }
  const value = (condition as Record<string, unknown>)[op];
  const enc = (v: unknown): string => prefix + encodeKeyPart(sortKey, v, 'query sort key');
  switch (op) {
    case 'eq':
      return { gte: enc(value), lte: enc(value) };
    case 'lt':
      return { gte: all.gte, lt: enc(value) };
    case 'lte':
      return { gte: all.gte, lte: enc(value) };
    case 'gt':
      return { gt: enc(value), lt: all.lt };
    case 'gte':
      return { gte: enc(value), lt: all.lt };
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) {
        throw new LambdaliteError(
          'ValidationException',
          `query sortKey.between must be [low, high], got ${JSON.stringify(value)}`,
        );
      }
      const low = enc(value[0]);
      const high = enc(value[1]);
      if (low > high) {
        throw new LambdaliteError(
          'ValidationException',
          'Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound',
        );
      }
      return { gte: low, lte: high };
    }
    default: {
      if (sortKey.type === 'N') {
        throw new LambdaliteError(
          'ValidationException',
          `query sortKey.beginsWith needs a S or B sort key; ${sortKey.name} is N`,
        );
      }
      const start = enc(value);
      // Matches are contiguous from `start`; the upper bound is generous and `startsWith` trims it.
      return { gte: start, lt: start + (sortKey.type === 'B' ? 'g' : '\u{10FFFF}'), startsWith: start };
    }
  }
}

/** Items by storage key in key order: a LevelDB sublevel, or a shared store's partition reader. */
export interface ItemRange {
  /** `partition` is the encoded partition key value every bound of the query lies in. */
  iterator(
    options: { gt?: string; gte?: string; lt?: string; lte?: string; reverse: boolean; limit?: number },
    partition: string,
  ): { nextv(size: number): Promise<Array<[string, AttributeMap]>>; close(): Promise<void> };
}

export async function runQuery(
  items: ItemRange,
  meta: TableMeta,
  rawInput: QueryInput,
): Promise<QueryOutput> {
  const input = checkQueryInput(rawInput);
  const limit = input.limit;
  const forward = input.scanIndexForward !== false;
  let bounds: Bounds;
  if (!meta.sortKey) {
    const key = itemKey(meta, { [meta.partitionKey.name]: input.partitionKey });
    if (input.sortKey !== undefined) sortBounds(meta, key, input.sortKey);
    bounds = { gte: key, lte: key };
  } else {
    bounds = sortBounds(meta, partitionPrefix(meta, input.partitionKey), input.sortKey);
  }
  if (input.exclusiveStartKey !== undefined) {
    const start = keyOf(meta, input.exclusiveStartKey, 'exclusiveStartKey');
    const pk = meta.partitionKey;
    if (
      encodeKeyPart(pk, start[pk.name], 'exclusiveStartKey') !==
      encodeKeyPart(pk, input.partitionKey, 'partition key')
    ) {
      throw new LambdaliteError(
        'ValidationException',
        'exclusiveStartKey must have the same partition key as the query',
      );
    }
    const after = itemKey(meta, start);
    if (forward) {
      delete bounds.gte;
      bounds.gt = bounds.gt !== undefined && bounds.gt > after ? bounds.gt : after;
    } else {
      delete bounds.lte;
      bounds.lt = bounds.lt !== undefined && bounds.lt < after ? bounds.lt : after;
    }
  }
  const { startsWith, ...range } = bounds;
  const partition = encodeKeyPart(meta.partitionKey, input.partitionKey, 'partition key');
  const iterator = items.iterator({ ...range, reverse: !forward, ...(limit ? { limit } : {}) }, partition);
  const found: AttributeMap[] = [];
  let lastKey: AttributeMap | undefined;
  try {
    for (;;) {
      const entries = await iterator.nextv(Math.min(1000, limit ? limit - found.length : 1000));
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        if (startsWith !== undefined && !key.startsWith(startsWith)) continue;
        found.push(value);
        lastKey = value;
      }
      if (limit && found.length >= limit) break;
    }
  } finally {
    await iterator.close();
  }
  const output: QueryOutput = { items: found.map(unmarshalItem), count: found.length };
  if (limit && found.length >= limit && lastKey)
    output.lastEvaluatedKey = keyOf(meta, unmarshalItem(lastKey));
  return output;
}
