/**
 * Input rules of the stream API (reference §2.1-2.4). Every rule throws before anything is
 * written, with a message naming the option and the value.
 */
import { LambdaliteError } from '../errors.js';
import { anyValue, integer, isPlainObject, oneOf, readOptions, stringValue } from '../validation/options.js';
import { checkText, showValue } from '../validation/text.js';
import { parseExplicitHashKey } from './hash-range.js';
import { type GetShardIteratorOptions, type PutRecordInput, SHARD_ITERATOR_TYPES } from './model.js';
import type { AppendEntry } from './shard-log.js';
import type { TailOptions, TailStart } from './tail.js';

export const STREAM_LIMITS = Object.freeze({
  recordBytes: 1024 * 1024,
  requestBytes: 5 * 1024 * 1024,
  recordsPerRequest: 500,
  partitionKeyMaxChars: 256,
  getRecordsMax: 10_000,
  retentionMinHours: 24,
  shardCountMax: 10_000,
});

const NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
const PARTITION_KEY = {
  code: 'ValidationException',
  maxChars: STREAM_LIMITS.partitionKeyMaxChars,
} as const;

function invalid(message: string): never {
  throw new LambdaliteError('InvalidArgumentException', message);
}

export function checkStreamName(name: unknown): string {
  return checkText(name, 'streamName', {
    code: 'ValidationException',
    pattern: { test: NAME_PATTERN, says: 'must be 1-128 characters of [a-zA-Z0-9_.-]' },
  });
}

/** streams.create options. */
export function checkCreateOptions(options: unknown): { shardCount?: unknown; retentionHours?: unknown } {
  // Each field keeps its own rule (and code) below; this checks the argument as a whole.
  return readOptions(
    options,
    { shardCount: anyValue(), retentionHours: anyValue() },
    'InvalidArgumentException',
  );
}

const ITERATOR_OPTIONS = {
  type: oneOf(SHARD_ITERATOR_TYPES),
  sequenceNumber: anyValue(),
  timestamp: anyValue<Date | number>(),
} as const;

/** getShardIterator options: `type` is required. */
export function checkIteratorOptions(options: unknown): GetShardIteratorOptions {
  const o = readOptions(options, ITERATOR_OPTIONS, 'ValidationException', { required: ['type'] });
  return o as GetShardIteratorOptions;
}

function tailStart(value: unknown, path: string): TailStart {
  if (value === 'TRIM_HORIZON' || value === 'LATEST') return value;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length === 1 && (key === 'afterSequenceNumber' || key === 'atSequenceNumber')) {
      const sequence = value[key];
      if (typeof sequence === 'string') {
        return key === 'afterSequenceNumber'
          ? { afterSequenceNumber: sequence }
          : { atSequenceNumber: sequence };
      }
    }
  }
  return invalid(
    `${path} must be 'TRIM_HORIZON', 'LATEST', { afterSequenceNumber } or { atSequenceNumber }, got ${showValue(value)}`,
  );
}

const TAIL_OPTIONS = {
  from: tailStart,
  shardId: stringValue(),
  batchSize: integer(1, STREAM_LIMITS.getRecordsMax),
} as const;

/** records$ options. */
export function checkTailOptions(options: unknown): TailOptions {
  return readOptions(options, TAIL_OPTIONS, 'InvalidArgumentException');
}

export function checkShardCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    invalid(`options.shardCount must be an integer >= 1, got ${JSON.stringify(value)}`);
  }
  if (value > STREAM_LIMITS.shardCountMax) {
    throw new LambdaliteError(
      'LimitExceededException',
      `options.shardCount ${value} exceeds the shard limit of ${STREAM_LIMITS.shardCountMax} per stream`,
    );
  }
  return value;
}

export function checkRetentionHours(
  value: unknown,
  maxHours: number,
  option = 'options.retentionHours',
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < STREAM_LIMITS.retentionMinHours ||
    value > maxHours
  ) {
    invalid(
      `${option} must be an integer from ${STREAM_LIMITS.retentionMinHours} to ${maxHours}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function checkLimit(value: unknown): number {
  if (value === undefined) return STREAM_LIMITS.getRecordsMax;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > STREAM_LIMITS.getRecordsMax
  ) {
    invalid(
      `options.limit must be an integer from 1 to ${STREAM_LIMITS.getRecordsMax}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The byte length of a record's data (a string counts as UTF-8; it is stored that way). */
function dataLength(data: unknown, index: number | undefined): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Uint8Array) return data.byteLength;
  return invalid(
    `${whereOf(index)}.data must be a Buffer, Uint8Array or string, got ${data === null ? 'null' : typeof data}`,
  );
}

/** How messages name a record: 'record' (putRecord) or 'records[3]' (putRecords). */
function whereOf(index: number | undefined): string {
  return index === undefined ? 'record' : `records[${index}]`;
}

/**
 * Checks one record and computes its hash key; `index` (putRecords) names it in messages
 * ('records[3]'), built only when one is thrown.
 */
export function prepareRecord(input: unknown, index?: number): AppendEntry & { bytes: number } {
  if (typeof input !== 'object' || input === null)
    invalid(`${whereOf(index)} must be an object, got ${JSON.stringify(input)}`);
  const { partitionKey: rawKey, data, explicitHashKey } = input as PutRecordInput;
  const partitionKey = checkText(rawKey, `${whereOf(index)}.partitionKey`, PARTITION_KEY);
  const length = dataLength(data, index);
  const size = length + Buffer.byteLength(partitionKey, 'utf8');
  if (size > STREAM_LIMITS.recordBytes) {
    throw new LambdaliteError(
      'ValidationException',
      `${whereOf(index)} is ${size} bytes (data plus partition key); the limit is ${STREAM_LIMITS.recordBytes} bytes`,
    );
  }
  const hashKey = explicitHashKey === undefined ? undefined : parseExplicitHashKey(explicitHashKey);
  // A string is not copied into a Buffer here: the log writes it straight into the stored chunk.
  return { partitionKey, data: data as Uint8Array | string, dataBytes: length, hashKey, bytes: size };
}

export function prepareRecords(input: unknown): Array<AppendEntry & { bytes: number }> {
  if (!Array.isArray(input) || input.length < 1 || input.length > STREAM_LIMITS.recordsPerRequest) {
    throw new LambdaliteError(
      'ValidationException',
      `records must be an array of 1-${STREAM_LIMITS.recordsPerRequest} records, got ${
        Array.isArray(input) ? `${input.length} records` : JSON.stringify(input)
      }`,
    );
  }
  let total = 0;
  const prepared = input.map((record, i) => {
    const entry = prepareRecord(record, i);
    total += entry.bytes;
    return entry;
  });
  if (total > STREAM_LIMITS.requestBytes) {
    invalid(
      `records total ${total} bytes (data plus partition keys); the limit is ${STREAM_LIMITS.requestBytes} bytes`,
    );
  }
  return prepared;
}
