/**
 * Where role records are kept: the seam between the RoleStore (cache, parsed policies, locks)
 * and storage. The embedded store is the engine's LevelDB (sublevel 'iam-roles', key = the
 * lower-cased role name). A shared store (the JetStream backend) has other writers: `fresh`
 * reads a key's current record before a change is computed from it, `write` refuses with
 * {@link RoleRecordConflict} when the stored record is no longer the one the change was
 * computed from, and `changes$` reports what other engine processes wrote.
 */
import type { Observable } from 'rxjs';
import { delOp, putOp, type Storage, type Sub } from '../../storage/storage.js';
import type { RoleRecord } from './types.js';

/** A role written or deleted (record undefined) on another engine process. */
export interface RoleRecordChange {
  readonly key: string;
  readonly record: RoleRecord | undefined;
}

export interface RoleRecords {
  /** Every stored role by key. */
  all(): Promise<Map<string, RoleRecord>>;
  /** Absent: this engine is the only writer and its cache is the truth. */
  fresh?(key: string): Promise<RoleRecord | undefined>;
  /** Stores `record` under `key` (null deletes); `previous`: the record it was computed from. */
  write(key: string, record: RoleRecord | null, previous: RoleRecord | undefined): Promise<void>;
  readonly changes$?: Observable<RoleRecordChange>;
}

/** A shared store's write lost a race: read afresh and decide again. */
export class RoleRecordConflict extends Error {
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`role ${key} changed on another engine process`, options);
    this.name = 'RoleRecordConflict';
  }
}

export class LevelRoleRecords implements RoleRecords {
  readonly #storage: Storage;
  readonly #sub: Sub<RoleRecord>;

  constructor(storage: Storage) {
    this.#storage = storage;
    this.#sub = storage.sublevel<RoleRecord>('iam-roles', 'json');
  }

  async all(): Promise<Map<string, RoleRecord>> {
    const map = new Map<string, RoleRecord>();
    for await (const [key, record] of this.#sub.iterator()) map.set(key, record);
    return map;
  }

  async write(key: string, record: RoleRecord | null): Promise<void> {
    await this.#storage.batch([record === null ? delOp(this.#sub, key) : putOp(this.#sub, key, record)]);
  }
}
