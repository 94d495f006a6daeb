/**
 * Persistence of mappings. Four sublevels:
 * - `esm`              uuid -> MappingRecord (settings the user edits)
 * - `esm-status`       uuid -> MappingStatus (last processing result, written by pollers)
 * - `esm-checkpoints`  uuid NUL shardId -> CheckpointRecord
 * - `esm-failures`     uuid NUL ulid -> StoredFailure (given-up batches with no destination)
 * A poller's commit (checkpoint + status + failure entries) is one atomic batch.
 */
import { monotonicFactory } from 'ulid';
import type { Clock } from '../clock.js';
import { childRange, joinKey } from '../storage/keys.js';
import { type BatchOp, delOp, putOp, type Storage, type Sub } from '../storage/storage.js';
import type { CheckpointRecord, MappingRecord, MappingStatus, StoredFailure } from './types.js';

export class MappingStore {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #mappings: Sub<MappingRecord>;
  readonly #status: Sub<MappingStatus>;
  readonly #checkpoints: Sub<CheckpointRecord>;
  readonly #failures: Sub<StoredFailure>;
  readonly #ulid = monotonicFactory();

  constructor(storage: Storage, clock: Clock) {
    this.#storage = storage;
    this.#clock = clock;
    this.#mappings = storage.sublevel<MappingRecord>('esm');
    this.#status = storage.sublevel<MappingStatus>('esm-status');
    this.#checkpoints = storage.sublevel<CheckpointRecord>('esm-checkpoints');
    this.#failures = storage.sublevel<StoredFailure>('esm-failures');
  }

  async get(uuid: string): Promise<MappingRecord | undefined> {
    return (await this.#mappings.get(uuid)) ?? undefined;
  }

  async all(): Promise<MappingRecord[]> {
    return this.#mappings.values().all();
  }

  async status(uuid: string): Promise<MappingStatus | undefined> {
    return (await this.#status.get(uuid)) ?? undefined;
  }

  /** A new mapping with its initial shard checkpoints, in one batch. */
  async create(
    record: MappingRecord,
    status: MappingStatus,
    initial: Map<string, CheckpointRecord>,
  ): Promise<void> {
    const ops = [putOp(this.#mappings, record.uuid, record), putOp(this.#status, record.uuid, status)];
    for (const [shardId, cp] of initial)
      ops.push(putOp(this.#checkpoints, joinKey(record.uuid, shardId), cp));
    await this.#storage.batch(ops);
  }

  async put(record: MappingRecord): Promise<void> {
    await this.#storage.batch([putOp(this.#mappings, record.uuid, record)]);
  }

  async checkpoints(uuid: string): Promise<Map<string, CheckpointRecord>> {
    const out = new Map<string, CheckpointRecord>();
    const prefix = joinKey(uuid, '');
    for await (const [key, value] of this.#checkpoints.iterator(childRange(uuid))) {
      out.set(key.slice(prefix.length), value);
    }
    return out;
  }

  async failures(uuid: string): Promise<StoredFailure[]> {
    return this.#failures.values(childRange(uuid)).all();
  }

  /** Builds the ops of one poller commit; the caller adds them to one batch. */
  commitOps(
    uuid: string,
    shardId: string | undefined,
    checkpoint: CheckpointRecord | undefined,
    status: MappingStatus | undefined,
    failures: readonly StoredFailure[],
  ): BatchOp[] {
    const ops: BatchOp[] = [];
    if (shardId !== undefined && checkpoint)
      ops.push(putOp(this.#checkpoints, joinKey(uuid, shardId), checkpoint));
    if (status) ops.push(putOp(this.#status, uuid, status));
    for (const failure of failures) {
      ops.push(putOp(this.#failures, joinKey(uuid, this.#ulid(this.#clock.now())), failure));
    }
    return ops;
  }

  async commit(ops: readonly BatchOp[]): Promise<void> {
    await this.#storage.batch(ops);
  }

  /** Removes the mapping, its status, checkpoints and failure list in one batch. */
  async delete(uuid: string): Promise<void> {
    const ops: BatchOp[] = [delOp(this.#mappings, uuid), delOp(this.#status, uuid)];
    for await (const key of this.#checkpoints.keys(childRange(uuid))) ops.push(delOp(this.#checkpoints, key));
    for await (const key of this.#failures.keys(childRange(uuid))) ops.push(delOp(this.#failures, key));
    await this.#storage.batch(ops);
  }
}
