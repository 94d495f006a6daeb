/**
 * Metadata shared by every engine process on the cluster (streams by ARN in
 * `<prefix>_stream_meta`, tables by name in `<prefix>_tables`): one JSON record per resource in
 * a KV bucket, keyed by a hash of its id (KV keys allow a small alphabet), written
 * compare-and-set through {@link KvRecords}. The first process to create a name stores its
 * record (and so its uid, which names the records or items behind it); a second create finds
 * the key taken. Changes and deletes are checked against the record they were computed from, so
 * two processes changing one resource at once cannot overwrite each other: the loser is told,
 * and its view catches up from the watch.
 */
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { filter, map, type Observable } from 'rxjs';
import { type CatalogChange, CatalogConflict, type SharedCatalog } from '../../storage/shared-catalog.js';
import { KvRecords, RecordConflict } from './kv-records.js';

export class KvCatalog<T> implements SharedCatalog<T> {
  readonly #records: KvRecords<T>;
  readonly #idOf: (record: T) => string;
  /** KV key -> id of every record this process saw: a deletion carries only the KV key. */
  readonly #ids = new Map<string, string>();
  readonly changes$: Observable<CatalogChange<T>>;

  private constructor(records: KvRecords<T>, idOf: (record: T) => string) {
    this.#records = records;
    this.#idOf = idOf;
    this.changes$ = records.changes$.pipe(
      map(({ key, record }) => {
        if (record) this.#ids.set(key, idOf(record));
        const id = record ? idOf(record) : this.#ids.get(key);
        return id === undefined ? undefined : { key: id, record };
      }),
      filter((change): change is CatalogChange<T> => change !== undefined),
    );
  }

  static async open<T>(
    nc: NatsConnection,
    bucket: string,
    idOf: (record: T) => string,
    options: { replicas: number },
  ): Promise<KvCatalog<T>> {
    return new KvCatalog(await KvRecords.open<T>(nc, bucket, options), idOf);
  }

  async all(): Promise<T[]> {
    const out: T[] = [];
    for (const [key, record] of await this.#records.list()) {
      this.#ids.set(key, this.#idOf(record));
      out.push(record);
    }
    return out;
  }

  async get(id: string): Promise<T | undefined> {
    const key = keyOf(id);
    this.#ids.set(key, id);
    return (await this.#records.read(key)).record;
  }

  async replace(id: string, next: T | undefined, previous: T | undefined): Promise<void> {
    const key = keyOf(id);
    this.#ids.set(key, id);
    try {
      await this.#records.replace(key, next, previous);
    } catch (err) {
      if (err instanceof RecordConflict) throw new CatalogConflict(id);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.#records.close();
  }
}

function keyOf(id: string): string {
  return `k.${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}
