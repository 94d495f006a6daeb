/**
 * Stream metadata shared by every engine process on the cluster: one JSON `StreamMeta` per
 * stream in the KV bucket `<prefix>_stream_meta` (key: a hash of the ARN, KV keys allow a small
 * alphabet), written compare-and-set through {@link KvRecords}. The first process to create a
 * name stores its meta (and so its uid, which names the JetStream stream of its records); a
 * second create finds the key taken. Reshards, retention changes and deletes are checked against
 * the meta they were computed from, so two processes changing one stream at once cannot
 * overwrite each other: the loser is told, and its view catches up from the watch.
 */
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { filter, map, type Observable } from 'rxjs';
import type { StreamMeta } from '../../streams/model.js';
import { type CatalogChange, CatalogConflict, type StreamCatalog } from '../../streams/stream-catalog.js';
import { KvRecords, RecordConflict } from './kv-records.js';

export class JetStreamStreamCatalog implements StreamCatalog {
  readonly #records: KvRecords<StreamMeta>;
  /** Key -> ARN of every stream this process saw: a deletion carries only the key. */
  readonly #arns = new Map<string, string>();
  readonly changes$: Observable<CatalogChange>;

  private constructor(records: KvRecords<StreamMeta>) {
    this.#records = records;
    this.changes$ = records.changes$.pipe(
      map(({ key, record }) => {
        if (record) this.#arns.set(key, record.arn);
        const arn = record?.arn ?? this.#arns.get(key);
        return arn === undefined ? undefined : { arn, meta: record };
      }),
      filter((change): change is CatalogChange => change !== undefined),
    );
  }

  static async open(nc: NatsConnection, options: { prefix: string; replicas: number }) {
    const records = await KvRecords.open<StreamMeta>(nc, `${options.prefix}_stream_meta`, {
      replicas: options.replicas,
    });
    return new JetStreamStreamCatalog(records);
  }

  async all(): Promise<StreamMeta[]> {
    const out: StreamMeta[] = [];
    for (const [key, meta] of await this.#records.list()) {
      this.#arns.set(key, meta.arn);
      out.push(meta);
    }
    return out;
  }

  async get(arn: string): Promise<StreamMeta | undefined> {
    const key = keyOf(arn);
    this.#arns.set(key, arn);
    return (await this.#records.read(key)).record;
  }

  async replace(arn: string, next: StreamMeta | undefined, previous: StreamMeta | undefined): Promise<void> {
    const key = keyOf(arn);
    this.#arns.set(key, arn);
    try {
      await this.#records.replace(key, next, previous);
    } catch (err) {
      if (err instanceof RecordConflict) throw new CatalogConflict(arn);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.#records.close();
  }
}

function keyOf(arn: string): string {
  return `s.${createHash('sha256').update(arn).digest('hex').slice(0, 40)}`;
}
