/**
 * The change consumer of a bucket's object store: one durable consumer, `notify`, on the
 * descriptions' subjects (`$O.<store>.M.>`), shared by every engine process. Each process that
 * hands notifications over runs a {@link ChangeConsumer} per bucket: a change is turned into the
 * S3 record the embedded engine makes, handed to the sink (the engine's async queue) and
 * acknowledged only once the sink's batch committed, so a process that dies between the object
 * write and the notification leaves the change unacknowledged and the server hands it to another
 * process after the ack wait. Once the acknowledgement floor passed a replaced description, it is
 * deleted, so a key keeps one description.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import {
  type BucketStoreGround,
  changeRecord,
  deliveriesOf,
  formatSequencer,
} from '../../buckets/bucket-store.js';
import type { NotificationSink } from '../../buckets/notification-sink.js';
import { parse } from './object-descriptions.js';

const CONSUMER = 'notify';
/** Changes a process holds unacknowledged per bucket. */
const CONSUMER_BATCH = 16;
const NANOS_PER_MS = 1_000_000;

/**
 * The durable consumer of a store's changes (created with the store, before any change).
 * `ackWaitMs`: how long a handed-out change may stay unacknowledged before another process gets it.
 */
export function changeConsumerConfig(store: string, ackWaitMs: number): Partial<ConsumerConfig> {
  return {
    durable_name: CONSUMER,
    filter_subject: `$O.${store}.M.>`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWaitMs * NANOS_PER_MS,
    max_ack_pending: 1024,
  };
}

export interface ConsumerParts {
  js: JetStreamClient;
  jsm: JetStreamManager;
  ground: BucketStoreGround;
  ensure(bucket: string): Promise<void>;
  store(bucket: string): string;
}

/**
 * One process's share of a bucket's change consumer: hands each change to the sink, then
 * acknowledges it; a failure leaves it unacknowledged for a redelivery.
 */
export class ChangeConsumer {
  readonly #parts: ConsumerParts;
  readonly #bucket: string;
  readonly #sink: NotificationSink;
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  readonly #running: Promise<void>;

  constructor(parts: ConsumerParts, bucket: string, sink: NotificationSink) {
    this.#parts = parts;
    this.#bucket = bucket;
    this.#sink = sink;
    this.#running = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#messages?.stop();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { js, ensure, store } = this.#parts;
    const name = store(this.#bucket);
    while (!this.#stopped) {
      try {
        await ensure(this.#bucket);
        const consumer = await js.consumers.get(`OBJ_${name}`, CONSUMER);
        if (this.#stopped) return;
        const messages = await consumer.consume({ max_messages: CONSUMER_BATCH });
        this.#messages = messages;
        if (this.#stopped) messages.stop();
        for await (const m of messages) {
          if (this.#stopped) break;
          await this.#handle(name, m);
        }
      } catch {
        // A lost connection or a deleted consumer: start again (the client reconnects).
      }
      if (!this.#stopped) await new Promise((r) => setTimeout(r, 250));
    }
  }

  async #handle(store: string, m: JsMsg): Promise<void> {
    const found = parse(m.seq, m.data);
    try {
      if (found?.facts && found.facts.targets.length > 0) {
        const { facts, description } = found;
        const { ground } = this.#parts;
        const record = changeRecord(
          ground,
          this.#bucket,
          description.name,
          facts,
          formatSequencer(found.seq),
          description.deleted ? undefined : { size: description.size, eTag: facts.eTag },
        );
        const deliveries = deliveriesOf(record, this.#bucket, facts.targets);
        await ground.storage.batch(this.#sink.deliveryOps(deliveries));
        this.#sink.committed(deliveries);
      }
      await m.ackAck();
    } catch {
      // Not acknowledged: the server hands the change out again after the ack wait.
      return;
    }
    const replaced = found?.facts?.replaced;
    if (replaced !== undefined) await this.#dropDescription(store, replaced);
  }

  /** Deletes a replaced description once every change up to it was acknowledged. */
  async #dropDescription(store: string, seq: number): Promise<void> {
    const { jsm } = this.#parts;
    try {
      const info = await jsm.consumers.info(`OBJ_${store}`, CONSUMER);
      if (info.ack_floor.stream_seq >= seq) await jsm.streams.deleteMessage(`OBJ_${store}`, seq, false);
    } catch {
      // Already deleted, or the floor is below it: it stays (one extra description).
    }
  }
}
