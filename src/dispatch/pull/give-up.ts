/**
 * Giving a batch up: builds AWS's on-failure record (reference §4.4) and sends it to the
 * mapping's destination. Without a destination (or when sending fails) the record is returned
 * so the caller persists it in the mapping's failure list with the checkpoint: nothing given up
 * vanishes without a trace.
 */
import { randomUUID } from 'node:crypto';
import type { StoredFailure } from '../../mappings/types.js';
import type { GiveUpCondition } from './deps.js';
import type { PollerContext } from './poller-context.js';
import { buildFailureRecord } from './records.js';
import type { SourceRecord } from './shard-source.js';

/** What the last try of the batch answered, for the record's requestContext/responseContext. */
export interface LastFailure {
  requestId: string;
  statusCode: number;
  executedVersion: string;
  functionError: string;
}

/** Sends the failure record; resolves with the entries to store with the checkpoint. */
export async function giveUp(
  ctx: PollerContext,
  records: readonly SourceRecord[],
  condition: GiveUpCondition,
  invokes: number,
  last: LastFailure | undefined,
): Promise<StoredFailure[]> {
  const record = buildFailureRecord(
    {
      kind: ctx.source.kind,
      shardId: ctx.shardId,
      eventSourceArn: ctx.eventSourceArn,
      functionArn: ctx.functionArn,
      requestId: last?.requestId ?? randomUUID(),
      condition,
      approximateInvokeCount: invokes,
      response: {
        statusCode: last?.statusCode ?? 200,
        executedVersion: last?.executedVersion ?? '',
        functionError: last?.functionError ?? '',
      },
      nowMs: ctx.clock.now(),
    },
    records,
  );
  const destination = ctx.settings.onFailure;
  if (!destination) return [{ record }];
  if (!ctx.destinations)
    return [{ record, destinationError: 'no FailureDestinations attached to the engine' }];
  // Destination first, checkpoint after: a crash in between sends the record again.
  try {
    await ctx.destinations.send(destination, record, { uuid: ctx.uuid, shardId: ctx.shardId });
    return [];
  } catch (err) {
    return [{ record, destinationError: err instanceof Error ? err.message : String(err) }];
  }
}
