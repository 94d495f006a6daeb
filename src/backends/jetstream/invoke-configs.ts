/**
 * Event invoke configs shared by every engine process on the cluster (the EventInvokeConfigRecords
 * seam of src/dispatch/push/queue-backend.ts): the KV bucket `<prefix>_invoke_configs`, key the
 * function name (Lambda's names are valid KV keys), value the validated config. A put on one
 * process applies to the deliveries of every process once its watch delivered the change: each
 * process caches the configs its deliveries read, and the watch replaces the cached entry.
 *
 * AWS's Put and Delete replace whatever is stored (no "update in progress" for these), so a
 * write is last-writer-wins: the compare-and-set of kv-records.ts is retried on a fresh read
 * when another process wrote in between.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { map, type Observable } from 'rxjs';
import type { EventInvokeConfigChange, EventInvokeConfigRecords } from '../../dispatch/push/queue-backend.js';
import type { EventInvokeConfig } from '../../dispatch/push/types.js';
import { LambdaliteError } from '../../errors.js';
import { KvRecords, RecordConflict } from './kv-records.js';

/** Compare-and-set rounds before a put gives up (each lost only to another process's write). */
const ROUNDS = 10;

export class JetStreamInvokeConfigs implements EventInvokeConfigRecords {
  readonly #records: KvRecords<EventInvokeConfig>;
  readonly changes$: Observable<EventInvokeConfigChange>;

  private constructor(records: KvRecords<EventInvokeConfig>) {
    this.#records = records;
    this.changes$ = records.changes$.pipe(map(({ key, record }) => ({ functionName: key, config: record })));
  }

  /** Opens (creating when missing) the bucket and starts watching it. */
  static async open(
    nc: NatsConnection,
    options: { prefix: string; replicas: number },
  ): Promise<JetStreamInvokeConfigs> {
    const records = await KvRecords.open<EventInvokeConfig>(nc, `${options.prefix}_invoke_configs`, {
      replicas: options.replicas,
    });
    return new JetStreamInvokeConfigs(records);
  }

  async get(functionName: string): Promise<EventInvokeConfig | undefined> {
    return (await this.#records.read(functionName)).record;
  }

  put(config: EventInvokeConfig): Promise<void> {
    return this.#replace(config.functionName, config);
  }

  delete(functionName: string): Promise<void> {
    return this.#replace(functionName, undefined);
  }

  async #replace(functionName: string, next: EventInvokeConfig | undefined): Promise<void> {
    for (let round = 1; ; round++) {
      const { record } = await this.#records.read(functionName);
      try {
        await this.#records.replace(functionName, next, record);
        return;
      } catch (err) {
        if (!(err instanceof RecordConflict)) throw err;
        if (round >= ROUNDS) {
          throw new LambdaliteError(
            'ResourceConflictException',
            `The operation cannot be performed at this time. An update is in progress for resource: ${functionName}`,
            { cause: err },
          );
        }
      }
    }
  }

  close(): Promise<void> {
    return this.#records.close();
  }
}
