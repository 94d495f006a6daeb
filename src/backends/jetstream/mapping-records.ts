/**
 * Mappings shared by every engine process on the cluster (the SharedMappingRecords seam of
 * src/mappings/shared-records.ts). The KV bucket `<prefix>_mappings` holds each mapping's
 * settings and initial shard positions under its uuid; `<prefix>_mapping_pairs` holds, under a
 * hash of the function ARN and the source ARN, the uuid of the one mapping AWS allows for that
 * pair. A create claims the pair first (a compare-and-set create: of two processes creating
 * the same pair one wins, the other is answered ResourceConflictException naming the winner's
 * uuid), then writes the mapping. A claim whose mapping is missing (a process died between the
 * two writes) is taken over by the next create of the pair.
 */
import { createHash } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { LambdaliteError } from '../../errors.js';
import type { SharedMapping, SharedMappingRecords } from '../../mappings/shared-records.js';
import type { MappingRecord } from '../../mappings/types.js';
import { type KvRecords, RecordConflict } from './kv-records.js';

interface PairClaim {
  readonly uuid: string;
}

function pairKey(record: Pick<MappingRecord, 'functionArn' | 'eventSourceArn'>): string {
  return createHash('sha256')
    .update(`${record.functionArn}\n${record.eventSourceArn}`)
    .digest('hex')
    .slice(0, 40);
}

export class JetStreamMappingRecords implements SharedMappingRecords {
  readonly #mappings: KvRecords<SharedMapping>;
  readonly #pairs: KvRecords<PairClaim>;
  readonly changes$: Observable<{ uuid: string; mapping: SharedMapping | undefined }>;

  constructor(mappings: KvRecords<SharedMapping>, pairs: KvRecords<PairClaim>) {
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
    await this.#claim(mapping.record);
    await conflictAsLambda(mapping.record.uuid, () =>
      this.#mappings.replace(mapping.record.uuid, mapping, undefined),
    );
  }

  async update(next: MappingRecord, previous: SharedMapping): Promise<void> {
    const before = previous.record;
    const moved = pairKey(next) !== pairKey(before);
    if (moved) await this.#claim(next);
    await conflictAsLambda(next.uuid, () =>
      this.#mappings.replace(next.uuid, { record: next, initial: previous.initial }, previous),
    );
    if (moved) await this.#release(before);
  }

  async delete(previous: SharedMapping): Promise<void> {
    await conflictAsLambda(previous.record.uuid, () =>
      this.#mappings.replace(previous.record.uuid, undefined, previous),
    );
    await this.#release(previous.record);
  }

  /** Claims the record's (function, source) pair for its uuid. */
  async #claim(record: MappingRecord): Promise<void> {
    const key = pairKey(record);
    const claim = { uuid: record.uuid };
    try {
      await this.#pairs.replace(key, claim, undefined);
      return;
    } catch (err) {
      if (!(err instanceof RecordConflict)) throw err;
    }
    const held = (await this.#pairs.read(key)).record;
    if (held && held.uuid !== record.uuid && (await this.get(held.uuid)) !== undefined) {
      throw new LambdaliteError(
        'ResourceConflictException',
        `The event source arn (${record.eventSourceArn}) and function (${record.functionName}) provided mapping already exists. Please update or delete the existing mapping with UUID ${held.uuid}`,
      );
    }
    // Ours already, or left by a create that never wrote its mapping (or by a deleted one).
    await conflictAsLambda(record.uuid, () => this.#pairs.replace(key, claim, held));
  }

  async #release(record: MappingRecord): Promise<void> {
    const key = pairKey(record);
    const held = (await this.#pairs.read(key)).record;
    if (held?.uuid === record.uuid) await this.#pairs.replace(key, undefined, held).catch(() => undefined);
  }
}

async function conflictAsLambda(uuid: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof RecordConflict)) throw err;
    throw new LambdaliteError(
      'ResourceConflictException',
      `The operation cannot be performed at this time. The event source mapping ${uuid} is being changed by another request.`,
      { cause: err },
    );
  }
}
