/**
 * The queue's LevelDB layout (docs/notes/push.md):
 *   push-queue   functionName NUL encodeUint(nextAttemptAt) NUL requestId -> QueueEntry
 *   push-dead    functionName NUL requestId                              -> DeadLetter
 *   push-config  functionName                                            -> EventInvokeConfig
 * The queue key IS the due index: one range read per function yields its due entries in due
 * order, and an entry changes with one put / one delete. Builders return ops; callers decide
 * what else joins the batch.
 */

import { childRange, decodeUint, encodeUint, joinKey, SEP, SEP_END } from '../../storage/keys.js';
import {
  type BatchOp,
  delOp,
  putJsonTextOp,
  putOp,
  type Storage,
  type StorageSnapshot,
  type Sub,
} from '../../storage/storage.js';
import type { DeadLetter, EventInvokeConfig, QueueEntry } from './types.js';

/** Settled entries after which the queue range is compacted. */
export const COMPACT_AFTER_REMOVALS = 2_000;

export class QueueStore {
  /** Per function, entries in due order: functions never queue behind each other. */
  readonly queue: Sub<QueueEntry>;
  readonly dead: Sub<DeadLetter>;
  readonly configs: Sub<EventInvokeConfig>;

  constructor(readonly storage: Storage) {
    this.queue = storage.sublevel<QueueEntry>('push-queue');
    this.dead = storage.sublevel<DeadLetter>('push-dead');
    this.configs = storage.sublevel<EventInvokeConfig>('push-config');
  }

  static key(entry: Pick<QueueEntry, 'functionName' | 'nextAttemptAt' | 'requestId'>): string {
    return joinKey(entry.functionName, encodeUint(entry.nextAttemptAt), entry.requestId);
  }

  /**
   * Queues an entry. With `payloadJson` (the JSON of `entry.payload`, which the caller has
   * already) the stored text is built around it: the same bytes, one serialisation less.
   */
  putEntryOps(entry: QueueEntry, payloadJson?: string): BatchOp[] {
    const key = QueueStore.key(entry);
    if (payloadJson === undefined) return [putOp(this.queue, key, entry)];
    return [putJsonTextOp(this.queue, key, entryJson(entry, payloadJson))];
  }

  /** Entries removed since the queue range was last compacted (see {@link compactIfChurned}). */
  #removed = 0;

  /** Removes an entry; its key comes from its (unchanged) function, schedule and request id. */
  removeEntryOps(entry: QueueEntry): BatchOp[] {
    this.#removed++;
    return [delOp(this.queue, QueueStore.key(entry))];
  }

  /** Moves an entry to a new schedule (or rewrites it in place when the time is the same). */
  rescheduleOps(previous: QueueEntry, next: QueueEntry): BatchOp[] {
    const [from, to] = [QueueStore.key(previous), QueueStore.key(next)];
    return from === to ? this.putEntryOps(next) : [delOp(this.queue, from), ...this.putEntryOps(next)];
  }

  /**
   * Every settled entry leaves a tombstone at the head of its function's range, and each due-key
   * scan starts there: after a few thousand settles a scan costs milliseconds instead of tens of
   * microseconds. So after {@link COMPACT_AFTER_REMOVALS} removals the queue range is compacted in
   * the background, which drops them.
   */
  compactIfChurned(): void {
    if (this.#removed < COMPACT_AFTER_REMOVALS) return;
    this.#removed = 0;
    void this.storage.compact(this.queue as Sub<unknown>);
  }

  putDeadLetterOps(letter: DeadLetter): BatchOp[] {
    return [putOp(this.dead, joinKey(letter.functionName, letter.requestId), letter)];
  }

  removeDeadLetterOps(letter: DeadLetter): BatchOp[] {
    return [delOp(this.dead, joinKey(letter.functionName, letter.requestId))];
  }

  /** Up to `limit` keys of one function's entries with nextAttemptAt <= now, in due order. */
  async dueKeysFor(functionName: string, now: number, limit: number): Promise<string[]> {
    return this.queue
      .keys({ gte: functionName + SEP, lt: joinKey(functionName, encodeUint(now + 1)), limit })
      .all();
  }

  /** The entries under these keys (undefined where one is gone). */
  async entriesAt(keys: readonly string[]): Promise<Array<QueueEntry | undefined>> {
    return keys.length === 0 ? [] : this.queue.getMany([...keys]);
  }

  /** Up to `limit` keys of one function's entries due strictly after `now`, in due order. */
  async laterKeysFor(functionName: string, now: number, limit: number): Promise<string[]> {
    const range = childRange(functionName);
    return this.queue.keys({ gte: joinKey(functionName, encodeUint(now + 1)), lt: range.lt, limit }).all();
  }

  /** The due time a queue key encodes. */
  static dueOf(key: string): number {
    return decodeUint(key.split(SEP)[1] ?? '');
  }

  /** A view of the queue as it is now, for {@link functionsWithEntries}; close it after. */
  snapshot(): StorageSnapshot {
    return this.storage.snapshot();
  }

  /**
   * Names of the functions with queued entries (in `snapshot`, when given): one seek per
   * function, not a full scan.
   */
  async functionsWithEntries(snapshot?: StorageSnapshot): Promise<string[]> {
    const names: string[] = [];
    let after: string | undefined;
    const at = snapshot === undefined ? {} : { snapshot };
    for (;;) {
      const [key] = await this.queue
        .keys(after === undefined ? { ...at, limit: 1 } : { ...at, gte: after + SEP_END, limit: 1 })
        .all();
      if (key === undefined) return names;
      after = key.slice(0, key.indexOf(SEP));
      names.push(after);
    }
  }

  async deadLetters(functionName: string): Promise<DeadLetter[]> {
    return this.dead.values(childRange(functionName)).all();
  }

  async countEntries(): Promise<number> {
    return (await this.queue.keys().all()).length;
  }
}

/** JSON.stringify(entry), with the payload's JSON text spliced in instead of serialised again. */
export function entryJson(entry: QueueEntry, payloadJson: string): string {
  // requestId (a UUID) and functionName ([a-zA-Z0-9-_]) come before the payload and cannot
  // contain the marker, so its first occurrence is the payload field.
  return JSON.stringify({ ...entry, payload: null }).replace(
    '"payload":null',
    () => `"payload":${payloadJson}`,
  );
}
