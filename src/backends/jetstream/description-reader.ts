/**
 * Reads a bucket's key descriptions (`$O.<store>.M.>`) from its object store's stream for the
 * listing index (bucket-index.ts): the last one of every key through an ordered consumer, or
 * those published after a stream sequence, one message get each (from the stream leader, so a
 * description acknowledged anywhere is there) or through an ordered consumer for many.
 */
import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import type { DescriptionReader, StoredDescription } from './bucket-index.js';

export interface JetStreamDescriptionsParts {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The bucket's object store name. */
  store(bucket: string): string;
  /** Makes sure the bucket's store exists (idempotent). */
  ensure(bucket: string): Promise<void>;
}

export class JetStreamDescriptions implements DescriptionReader {
  readonly #parts: JetStreamDescriptionsParts;

  constructor(parts: JetStreamDescriptionsParts) {
    this.#parts = parts;
  }

  lastPerKey(bucket: string, each: (d: StoredDescription) => void): Promise<void> {
    return this.#consume(bucket, { deliver_policy: DeliverPolicy.LastPerSubject }, each);
  }

  since(bucket: string, after: number, each: (d: StoredDescription) => void): Promise<void> {
    return this.#consume(
      bucket,
      { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 },
      each,
    );
  }

  async next(bucket: string, after: number): Promise<StoredDescription | undefined> {
    await this.#parts.ensure(bucket);
    const store = this.#parts.store(bucket);
    try {
      // The plain message-get API answers from the stream leader (direct gets may lag).
      const query = { seq: after + 1, next_by_subj: `$O.${store}.M.>` };
      // The client's type omits next_by_subj, which the server takes (as bucket-store.ts's gets).
      const msg = await this.#parts.jsm.streams.getMessage(`OBJ_${store}`, query as { seq: number });
      return msg ? { seq: msg.seq, data: msg.data } : undefined;
    } catch (err) {
      if (err instanceof Error && /not found/i.test(err.message)) return undefined;
      throw err;
    }
  }

  /** Every message the ordered consumer has pending when made, and any arriving meanwhile. */
  async #consume(
    bucket: string,
    options: Partial<OrderedConsumerOptions>,
    each: (d: StoredDescription) => void,
  ): Promise<void> {
    await this.#parts.ensure(bucket);
    await consumeDescriptions(this.#parts.js, this.#parts.store(bucket), options, each);
  }
}

/**
 * Hands `each` every description of the object store `store` an ordered consumer with `options`
 * has pending when made (and any arriving meanwhile), then stops it: the listing index's loads
 * and catch-ups and the orphan sweep's read of the last description of every key.
 */
export async function consumeDescriptions(
  js: JetStreamClient,
  store: string,
  options: Partial<OrderedConsumerOptions>,
  each: (d: StoredDescription) => void,
): Promise<void> {
  const consumer = await js.consumers.get(`OBJ_${store}`, {
    filter_subjects: `$O.${store}.M.>`,
    ...options,
  });
  if ((await consumer.info(true)).num_pending === 0) {
    await consumer.delete().catch(() => undefined);
    return;
  }
  const messages = await consumer.consume({ max_messages: 512 });
  try {
    for await (const m of messages) {
      each({ seq: m.seq, data: m.data });
      if (m.info.pending === 0) break;
    }
  } finally {
    messages.stop();
  }
}
