/**
 * Mappings shared by every engine process on the cluster (the SharedMappingRecords seam of
 * src/mappings/shared-records.ts). The KV bucket `<prefix>_mappings` holds each mapping's
 * settings and initial shard positions under its uuid (what every process adopts and runs);
 * `<prefix>_mapping_pairs` holds, under a hash of the function ARN and the source ARN, the one
 * mapping AWS allows for that pair.
 *
 * A create claims the pair first (a compare-and-set create holding the whole new mapping), then
 * writes the mapping under its uuid. Of two processes creating the same pair one claims it, the
 * other is answered ResourceConflictException naming the winner's uuid, and no process ever sees
 * the loser's mapping. A loser that finds the winner's mapping not written yet (the winner is
 * between its two writes, or died there) writes it from the claim itself, so a claim never
 * stays without its mapping. A delete releases the claim first, then removes the mapping: a
 * crash in between leaves a mapping without a claim, which a create of the pair still finds
 * (its duplicate check reads every mapping), never a claim that would bring a deleted mapping
 * back.
 */
import { createHash } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { LambdaliteError } from '../../errors.js';
import type { SharedMapping, SharedMappingRecords } from '../../mappings/shared-records.js';
import type { MappingRecord } from '../../mappings/types.js';
import { type KvRecords, RecordConflict } from './kv-records.js';

function pairKey(record: Pick<MappingRecord, 'functionArn' | 'eventSourceArn'>): string {
  return createHash('sha256')
    .update(`${record.functionArn}\n${record.eventSourceArn}`)
    .digest('hex')
    .slice(0, 40);
}

export class JetStreamMappingRecords implements SharedMappingRecords {
  readonly #mappings: KvRecords<SharedMapping>;
  readonly #pairs: KvRecords<SharedMapping>;
  readonly changes$: Observable<{ uuid: string; mapping: SharedMapping | undefined }>;

  constructor(mappings: KvRecords<SharedMapping>, pairs: KvRecords<SharedMapping>) {
    this.#mappings = mappings;
    this.#pairs = pairs;
    this.changes$ = mappings.changes$.pipe(map((c) => ({ uuid: c.key, mapping: c.record })));
  }

  async all(): Promise<SharedMapping[]> {
    return (await this.#mappings.list()).map(([, mapping]) => mapping);
  }

  async get(uuid: string): Promise<SharedMapping | undefined> {
    return (await this.#mappings.read(uuid)).record;
  }

  async create(mapping: SharedMapping): Promise<void> {
    await this.#claim(mapping);
    await this.#write(mapping);
  }

  async update(next: MappingRecord, previous: SharedMapping): Promise<void> {
    const before = previous.record;
    const moved = pairKey(next) !== pairKey(before);
    const updated: SharedMapping = { record: next, initial: previous.initial };
    if (moved) await this.#claim(updated);
    await conflictAsLambda(next.uuid, () => this.#mappings.replace(next.uuid, updated, previous));
    if (moved) await this.#release(before);
  }

  async delete(previous: SharedMapping): Promise<void> {
    await this.#release(previous.record);
    await conflictAsLambda(previous.record.uuid, () =>
      this.#mappings.replace(previous.record.uuid, undefined, previous),
    );
  }

  /** Writes a claimed mapping under its uuid (done already, by a loser of the pair: fine). */
  async #write(mapping: SharedMapping): Promise<void> {
    const { uuid } = mapping.record;
    try {
      await this.#mappings.replace(uuid, mapping, undefined);
    } catch (err) {
      if (!(err instanceof RecordConflict)) throw err;
    }
  }

  /** Claims the mapping's (function, source) pair. */
  async #claim(mapping: SharedMapping): Promise<void> {
    const { record } = mapping;
    const key = pairKey(record);
    try {
      await this.#pairs.replace(key, mapping, undefined);
      return;
    } catch (err) {
      if (!(err instanceof RecordConflict)) throw err;
    }
    const held = (await this.#pairs.read(key)).record;
    if (held?.record.uuid === record.uuid) return;
    if (!held) throw conflictError(record.uuid, undefined);
    // The winner may not have written its mapping yet (or died before): write it for it.
    await this.#write(held);
    throw new LambdaliteError(
      'ResourceConflictException',
      `The event source arn (${record.eventSourceArn}) and function (${record.functionName}) provided mapping already exists. Please update or delete the existing mapping with UUID ${held.record.uuid}`,
    );
  }

  async #release(record: MappingRecord): Promise<void> {
    const key = pairKey(record);
    const held = (await this.#pairs.read(key)).record;
    if (held?.record.uuid === record.uuid) {
      await conflictAsLambda(record.uuid, () => this.#pairs.replace(key, undefined, held));
    }
  }
}

async function conflictAsLambda(uuid: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof RecordConflict)) throw err;
    throw conflictError(uuid, err);
  }
}

function conflictError(uuid: string, cause: unknown): LambdaliteError {
  return new LambdaliteError(
    'ResourceConflictException',
    `The operation cannot be performed at this time. The event source mapping ${uuid} is being changed by another request.`,
    cause === undefined ? {} : { cause },
  );
}
