/**
 * The queue's LevelDB layout (docs/notes/push.md):
 *   push-entries  requestId                              -> QueueEntry
 *   push-due      functionName NUL encodeUint(nextAttemptAt) NUL requestId -> ''
 *   push-dead     functionName NUL requestId             -> DeadLetter
 *   push-config   functionName                           -> EventInvokeConfig
 * An entry and its due key always change in the same batch; these builders return the ops, the
 * callers decide what else joins the batch.
 */

import { childRange, decodeUint, encodeUint, joinKey, SEP, SEP_END } from '../../storage/keys.js';
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
  /** Per-function due index: each function's entries in due order, so functions never queue behind each other. */
  readonly due: Sub<string>;
  readonly dead: Sub<DeadLetter>;
  readonly configs: Sub<EventInvokeConfig>;

  constructor(readonly storage: Storage) {
    this.entries = storage.sublevel<QueueEntry>('push-entries');
    this.due = storage.sublevel<string>('push-due', 'utf8');
    this.dead = storage.sublevel<DeadLetter>('push-dead');
    this.configs = storage.sublevel<EventInvokeConfig>('push-config');
  }

  static dueKey(entry: Pick<QueueEntry, 'functionName' | 'nextAttemptAt' | 'requestId'>): string {
    return joinKey(entry.functionName, encodeUint(entry.nextAttemptAt), entry.requestId);
  }

  putEntryOps(entry: QueueEntry): BatchOp[] {
    return [putOp(this.entries, entry.requestId, entry), putOp(this.due, QueueStore.dueKey(entry), '')];
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

  /** Up to `limit` due keys of one function with nextAttemptAt <= now, in due order. */
  async dueFor(functionName: string, now: number, limit: number): Promise<DueKey[]> {
    const keys = await this.due
      .keys({ gte: functionName + SEP, lt: joinKey(functionName, encodeUint(now + 1)), limit })
      .all();
    return keys.map(parseDueKey);
  }

  /** The earliest due time of one function strictly after `now`, if any entry waits. */
  async nextDueFor(functionName: string, now: number): Promise<number | undefined> {
    const range = childRange(functionName);
    const [first] = await this.due
      .keys({ gte: joinKey(functionName, encodeUint(now + 1)), lt: range.lt, limit: 1 })
      .all();
    return first === undefined ? undefined : parseDueKey(first).dueAt;
  }

  /** Names of the functions with queued entries: one seek per function, not a full scan. */
  async functionsWithEntries(): Promise<string[]> {
    const names: string[] = [];
    let after: string | undefined;
    for (;;) {
      const [key] = await this.due
        .keys(after === undefined ? { limit: 1 } : { gte: after + SEP_END, limit: 1 })
        .all();
      if (key === undefined) return names;
      after = key.slice(0, key.indexOf(SEP));
      names.push(after);
    }
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

function parseDueKey(key: string): DueKey {
  const [functionName = '', dueAt = '', requestId = ''] = key.split(SEP);
  return { key, dueAt: decodeUint(dueAt), requestId, functionName };
}
