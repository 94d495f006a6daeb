/** CreateEventSourceMapping: validation, existence checks and the initial shard positions. */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../context.js';
import type { FunctionDirectory, ShardSources } from '../dispatch/pull/deps.js';
import type { StartPosition } from '../dispatch/pull/shard-source.js';
import { LambdaliteError } from '../errors.js';
import type { CheckpointRecord, CreateMappingInput, MappingRecord } from './types.js';
import {
  checkCreateInput,
  DEFAULT_SETTINGS,
  MAPPING_DEFAULTS,
  parseEventSourceArn,
  parseFunctionName,
  validateSettings,
  validateStart,
} from './validate.js';

export interface Prepared {
  record: MappingRecord;
  initial: Map<string, CheckpointRecord>;
}

export async function prepareCreate(
  ctx: EngineContext,
  rawInput: CreateMappingInput,
  sources: ShardSources,
  functions: FunctionDirectory,
  existing: readonly MappingRecord[],
): Promise<Prepared> {
  if (rawInput === undefined) {
    throw new LambdaliteError('InvalidParameterValueException', 'create() needs an options object');
  }
  const input = checkCreateInput(rawInput);
  const fnRef = parseFunctionName(input.functionName, ctx.region, ctx.accountId);
  const kind = parseEventSourceArn(input.eventSourceArn, ctx.region);
  const start = validateStart(input, kind);
  const settings = validateSettings(input, DEFAULT_SETTINGS);
  const enabled = input.enabled === undefined ? MAPPING_DEFAULTS.enabled : input.enabled;
  if (typeof enabled !== 'boolean') {
    throw new LambdaliteError(
      'InvalidParameterValueException',
      `enabled must be a boolean, got ${JSON.stringify(enabled)}`,
    );
  }
  const fn = await functions.get(fnRef.name);
  if (!fn) {
    throw new LambdaliteError(
      'ResourceNotFoundException',
      `Function not found: ${ctx.arns.function(fnRef.name)}`,
      {
        statusCode: 404,
      },
    );
  }
  const source = await sources.get(input.eventSourceArn);
  if (!source || !(await source.exists())) {
    throw new LambdaliteError(
      'ResourceNotFoundException',
      `Event source not found: ${input.eventSourceArn}`,
      {
        statusCode: 404,
      },
    );
  }
  // A qualified name (version or alias) maps that qualifier; AWS shows the qualified ARN.
  const functionArn = fnRef.qualifier === undefined ? fn.functionArn : `${fn.functionArn}:${fnRef.qualifier}`;
  const duplicate = existing.find(
    (m) => m.functionArn === functionArn && m.eventSourceArn === input.eventSourceArn,
  );
  if (duplicate) {
    throw new LambdaliteError(
      'ResourceConflictException',
      `The event source arn (${input.eventSourceArn}) and function (${fn.functionName}) provided mapping already exists. Please update or delete the existing mapping with UUID ${duplicate.uuid}`,
    );
  }
  const position: StartPosition =
    start.startingPosition === 'AT_TIMESTAMP'
      ? { type: 'AT_TIMESTAMP', timestampMs: start.startingPositionTimestamp ?? 0 }
      : { type: start.startingPosition };
  // Shards present now start at the requested position; shards that appear later start at
  // TRIM_HORIZON (they are children whose parents were read first).
  const now = ctx.clock.now();
  const initial = new Map<string, CheckpointRecord>();
  for (const shard of await source.listShards()) {
    const sequenceNumber = await source.resolveStart(shard.shardId, position);
    initial.set(shard.shardId, { sequenceNumber, iteratorAgeMs: 0, drained: false, updatedMs: now });
  }
  const record: MappingRecord = {
    ...settings,
    uuid: randomUUID(),
    functionName: fn.functionName,
    functionArn,
    eventSourceArn: input.eventSourceArn,
    sourceKind: source.kind,
    startingPosition: start.startingPosition,
    startingPositionTimestamp: start.startingPositionTimestamp,
    enabled,
    state: enabled ? 'Enabled' : 'Disabled',
    stateTransitionReason: 'User action',
    lastModifiedMs: now,
  };
  return { record, initial };
}
