/**
 * Deleting a concept whose data is too large for one batch (a stream's records, a table's items):
 * the delete's batch writes a tombstone beside removing the metadata, and the data is purged in
 * the background afterwards. A crash mid-purge leaves the tombstone, so the next open resumes it.
 * Shared by the shard log and the tables; close waits for purges under way.
 */
import { type BatchOp, putOp, type Storage, type Sub } from './storage.js';

export class Tombstones {
  readonly #marks: Sub<string>;
  readonly #pending = new Set<Promise<unknown>>();

  /** `purgeData` removes everything stored under a uid (range deletes). */
  constructor(
    storage: Storage,
    sublevelName: string,
    private readonly purgeData: (uid: string) => Promise<void>,
  ) {
    this.#marks = storage.sublevel<string>(sublevelName, 'utf8');
  }

  /** The operation that marks `uid` (named `label`) deleted, for the delete's own batch. */
  markOp(uid: string, label: string): BatchOp {
    return putOp(this.#marks, uid, label);
  }

  /** After the delete committed: purges the data in the background. */
  purge(uid: string): void {
    const tracked = this.#purge(uid)
      .catch(() => undefined)
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** At open: resumes the purges a crash or a close interrupted. */
  async resume(): Promise<void> {
    for (const uid of await this.#marks.keys().all()) this.purge(uid);
  }

  /** Resolves once no purge is under way. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #purge(uid: string): Promise<void> {
    await this.purgeData(uid);
    await this.#marks.del(uid);
  }
}
