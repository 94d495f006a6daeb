/**
 * A table of JSON records in a JetStream KV bucket shared by every engine process on the
 * cluster, for configuration (functions, their policies, roles). A write names the record its
 * decision was based on (undefined: none); it is checked against a fresh read and written
 * conditionally on that read's revision (`create` for a key never written), so of two
 * processes racing on one key one wins and the other is told it lost ({@link RecordConflict})
 * and decides again on what is stored, as AWS answers a lost race.
 *
 * Reads go to the stream leader (`allow_direct: false`): a replica answering a direct get may
 * lag an acknowledged write, and a process that was just told "created" elsewhere must find it.
 * A watch (updates only, started when the table opens) reports every change, in order, to
 * `changes$`; an entry no newer than what this process already knows is skipped, so its own
 * writes come back at most once and never roll the record back.
 */
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Observable, Subject } from 'rxjs';
import { contended } from './contended.js';
import { storedKeys } from './kv-keys.js';

/** A change of one key: the new record, or undefined when it was deleted. */
export interface RecordChange<T> {
  readonly key: string;
  readonly record: T | undefined;
}

/** A compare-and-set write lost: the key changed since this process read it. */
export class RecordConflict extends Error {
  constructor(readonly key: string) {
    super(`the record ${key} changed on another engine process`);
    this.name = 'RecordConflict';
  }
}

export interface KvRecordsOptions {
  readonly replicas: number;
}

export class KvRecords<T> {
  readonly #kv: KV;
  /** Key -> revision of the newest entry seen (read, written or watched): older watch entries are skipped. */
  readonly #revisions = new Map<string, number>();
  readonly #changes = new Subject<RecordChange<T>>();
  readonly changes$: Observable<RecordChange<T>> = this.#changes.asObservable();
  #stop: (() => void) | undefined;
  #closed = false;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  /** Opens (creating when missing) the bucket and starts watching it. */
  static async open<T>(nc: NatsConnection, bucket: string, options: KvRecordsOptions): Promise<KvRecords<T>> {
    const kv = await contended(() =>
      new Kvm(nc).create(bucket, {
        history: 1,
        replicas: options.replicas,
        allow_direct: false,
      }),
    );
    const table = new KvRecords<T>(kv);
    await table.#watch();
    return table;
  }

  async #watch(): Promise<void> {
    // The bucket may have been made by another process a moment ago (contended.ts).
    const watch = await contended(() => this.#kv.watch({ key: '>', include: 'updates' }));
    this.#stop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) this.#seen(entry);
    })().catch(() => undefined);
  }

  #seen(entry: KvEntry): void {
    if (this.#closed) return;
    const known = this.#revisions.get(entry.key);
    if (known !== undefined && entry.revision <= known) return;
    this.#revisions.set(entry.key, entry.revision);
    this.#changes.next({ key: entry.key, record: decode<T>(entry) });
  }

  /** The stored record (from the stream leader) and its revision (0: never written). */
  async read(key: string): Promise<{ record: T | undefined; revision: number }> {
    const entry = await this.#kv.get(key);
    const revision = entry?.revision ?? 0;
    this.#remember(key, revision);
    return { record: entry ? decode<T>(entry) : undefined, revision };
  }

  /** Every record, read one by one (configuration is small and listed rarely). */
  async list(): Promise<Array<[string, T]>> {
    const out: Array<[string, T]> = [];
    for (const key of await storedKeys(this.#kv)) {
      const { record } = await this.read(key);
      if (record !== undefined) out.push([key, record]);
    }
    return out;
  }

  /**
   * Compare-and-set: stores `next` (undefined deletes) if the stored record is still `previous`
   * (undefined: absent), the record the caller's decision was based on. Throws
   * {@link RecordConflict} when it is not, or when another write lands between this check and
   * the write (the write is conditional on the revision the check read).
   */
  async replace(key: string, next: T | undefined, previous: T | undefined): Promise<void> {
    const { record, revision } = await this.read(key);
    if (JSON.stringify(record) !== JSON.stringify(previous)) throw new RecordConflict(key);
    try {
      if (next === undefined) {
        if (record !== undefined) await this.#kv.delete(key, { previousSeq: revision });
        return;
      }
      const data = JSON.stringify(next);
      this.#remember(
        key,
        revision === 0 ? await this.#kv.create(key, data) : await this.#kv.update(key, data, revision),
      );
    } catch (err) {
      if (isWrongRevision(err)) throw new RecordConflict(key);
      throw err;
    }
  }

  #remember(key: string, revision: number): void {
    if (revision > (this.#revisions.get(key) ?? 0)) this.#revisions.set(key, revision);
  }

  /** Stops the watch; nothing is emitted after this resolves. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop?.();
    this.#changes.complete();
  }
}

function decode<T>(entry: KvEntry): T | undefined {
  return entry.operation === 'PUT' && entry.length > 0 ? (entry.json() as T) : undefined;
}

/** The server's answer to a create on a live key or an update with a stale revision. */
export function isWrongRevision(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (/wrong last sequence|key exists/i.test(e.message) || (e as { code?: unknown }).code === 10071) {
      return true;
    }
  }
  return false;
}
