/**
 * The queue's LevelDB layout (docs/notes/push.md):
 *   push-entries  requestId                              -> QueueEntry
 *   push-due      encodeUint(nextAttemptAt) NUL requestId -> functionName
 *   push-dead     functionName NUL requestId             -> DeadLetter
 *   push-config   functionName                           -> EventInvokeConfig
 * An entry and its due key always change in the same batch; these builders return the ops, the
 * callers decide what else joins the batch.
 */

import { childRange, decodeUint, encodeUint, joinKey, SEP } from '../../storage/keys.js';
import { type BatchOp, delOp, putOp, type Storage, type Sub } from '../../storage/storage.js';
import type { DeadLetter, EventInvokeConfig, QueueEntry } from './types.js';

export interface DueKey {
  key: string;
  dueAt: number;
  requestId: string;
  functionName: string;
}

export class QueueStore {
  readonly entries: Sub<QueueEntry>;
  readonly due: Sub<string>;
  readonly dead: Sub<DeadLetter>;
  readonly configs: Sub<EventInvokeConfig>;

  constructor(readonly storage: Storage) {
    this.entries = storage.sublevel<QueueEntry>('push-entries');
    this.due = storage.sublevel<string>('push-due', 'utf8');
    this.dead = storage.sublevel<DeadLetter>('push-dead');
    this.configs = storage.sublevel<EventInvokeConfig>('push-config');
  }

  static dueKey(entry: Pick<QueueEntry, 'nextAttemptAt' | 'requestId'>): string {
    return joinKey(encodeUint(entry.nextAttemptAt), entry.requestId);
  }

  putEntryOps(entry: QueueEntry): BatchOp[] {
    return [
      putOp(this.entries, entry.requestId, entry),
      putOp(this.due, QueueStore.dueKey(entry), entry.functionName),
    ];
  }

  removeEntryOps(entry: QueueEntry): BatchOp[] {
    return [delOp(this.entries, entry.requestId), delOp(this.due, QueueStore.dueKey(entry))];
  }

  /** Moves an entry to a new schedule: old due key out, new entry and due key in. */
  rescheduleOps(previous: QueueEntry, next: QueueEntry): BatchOp[] {
    return [delOp(this.due, QueueStore.dueKey(previous)), ...this.putEntryOps(next)];
  }

  putDeadLetterOps(letter: DeadLetter): BatchOp[] {
    return [putOp(this.dead, joinKey(letter.functionName, letter.requestId), letter)];
  }

  removeDeadLetterOps(letter: DeadLetter): BatchOp[] {
    return [delOp(this.dead, joinKey(letter.functionName, letter.requestId))];
  }

  /** Due keys with nextAttemptAt <= now, in due order, read `chunk` at a time. */
  async *dueUpTo(now: number, chunk = 256): AsyncGenerator<DueKey> {
    const iterator = this.due.iterator({ lt: encodeUint(now + 1) });
    try {
      for (;;) {
        const batch = await iterator.nextv(chunk);
        if (batch.length === 0) return;
        for (const [key, functionName] of batch) yield parseDueKey(key, functionName);
      }
    } finally {
      await iterator.close();
    }
  }

  /** The earliest due time strictly after `now`, if any entry waits. */
  async nextDueAfter(now: number): Promise<number | undefined> {
    const keys = await this.due.keys({ gte: encodeUint(now + 1), limit: 1 }).all();
    const first = keys[0];
    return first === undefined ? undefined : decodeUint(first.slice(0, first.indexOf(SEP)));
  }

  async getEntries(requestIds: readonly string[]): Promise<Array<QueueEntry | undefined>> {
    if (requestIds.length === 0) return [];
    return this.entries.getMany([...requestIds]);
  }

  async deadLetters(functionName: string): Promise<DeadLetter[]> {
    return this.dead.values(childRange(functionName)).all();
  }

  async countEntries(): Promise<number> {
    return (await this.entries.keys().all()).length;
  }
}

function parseDueKey(key: string, functionName: string): DueKey {
  const at = key.indexOf(SEP);
  return { key, dueAt: decodeUint(key.slice(0, at)), requestId: key.slice(at + 1), functionName };
}
