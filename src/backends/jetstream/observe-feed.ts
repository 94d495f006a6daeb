/**
 * The observe feeds on JetStream (src/observe/shared-feed.ts): one replicated stream per kind
 * (`<prefix>_metrics`, `<prefix>_logs`), a subject per process (`<prefix>_<kind>.<member>`).
 * Each process follows its kind's stream with an ordered consumer from the position it stored
 * with the last payload it applied, skipping its own subject; the client re-creates an ordered
 * consumer after a reconnect or a leader change at the next sequence, so nothing is skipped.
 *
 * The member id is kept in the engine's own storage, so a restarted process still knows its
 * own payloads (they are in its storage already) and never copies them back.
 *
 * Publishing goes through an outbox in the engine's storage (`jetstream-outbox-<kind>`): the
 * payloads are written in the same batch as the data they carry and deleted once the cluster
 * acknowledged them. A send that failed (the cluster unreachable, a publish refused) is retried
 * while the engine runs, on a real-time backoff (the outage is real time, whatever the engine
 * clock), and what is left when the engine opens is published then; always under the same
 * message id (`<member>.<outbox key>`), so a retry of a publish that did reach the cluster is
 * stored once.
 */
import { randomBytes } from 'node:crypto';
import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { LambdaliteError } from '../../errors.js';
import type { FeedApplier, SharedFeed, StagedPayloads } from '../../observe/shared-feed.js';
import { MAX_FEED_PAYLOAD } from '../../observe/shared-feed.js';
import { encodeUint } from '../../storage/keys.js';
import { delOp, putOp, type Storage, type Sub } from '../../storage/storage.js';
import { contended } from './contended.js';

export interface JetStreamFeedOptions {
  readonly prefix: string;
  readonly replicas: number;
  /** `metrics` or `logs`: the stream's name and subjects. */
  readonly kind: string;
  /** This process's id in the feed (see {@link feedMember}). */
  readonly member: string;
  /** How long the cluster keeps payloads (server time). */
  readonly maxAgeMs: number;
  /** How long `caughtUp` waits for the follower before it gives up (real time). */
  readonly catchUpMs: number;
}

const ENTRY_WIDTH = 10;
/** Outbox entries `replay` publishes at once. */
const REPLAY_GROUP = 64;
/** After a follower's consumer failed (stream missing, connection closing): try again after. */
const RESTART_MS = 500;
/** The outbox's retries after a failed send: the first after this, doubling up to the cap. */
const RETRY_FIRST_MS = 500;
const RETRY_CAP_MS = 30_000;

/** The engine storage's member id for the feeds, created with the storage's first open. */
export async function feedMember(storage: Storage): Promise<string> {
  const sub = positions(storage);
  const stored = await sub.get('member');
  if (typeof stored === 'string') return stored;
  const member = randomBytes(8).toString('hex');
  await sub.put('member', member);
  return member;
}

function positions(storage: Storage): Sub<string | number> {
  return storage.sublevel<string | number>('jetstream-feeds');
}

export class JetStreamFeed implements SharedFeed {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #positions: Sub<string | number>;
  readonly #storage: Storage;
  /** Payloads stored with this process's data and not yet acknowledged by the cluster. */
  readonly #outbox: Sub<Uint8Array>;
  /** Outbox keys of this run start with it, so they never meet those an earlier run left. */
  readonly #run = randomBytes(4).toString('hex');
  #nextEntry = 0;
  readonly #options: JetStreamFeedOptions;
  readonly #stream: string;
  readonly #own: string;
  #ensured: Promise<void> | undefined;
  /** Highest feed sequence the follower has applied (or skipped: its own). */
  #applied = 0;
  /** `caughtUp` calls waiting for `#applied` to reach their sequence. */
  #waiters: Array<{ seq: number; resolve: () => void }> = [];
  #following = false;
  /** The armed retry of the outbox (after a failed send), and its next delay. */
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = RETRY_FIRST_MS;
  #retrying: Promise<void> | undefined;
  #closed = false;

  constructor(js: JetStreamClient, jsm: JetStreamManager, storage: Storage, options: JetStreamFeedOptions) {
    this.#js = js;
    this.#jsm = jsm;
    this.#positions = positions(storage);
    this.#storage = storage;
    this.#outbox = storage.sublevel<Uint8Array>(`jetstream-outbox-${options.kind}`, 'view');
    this.#options = options;
    this.#stream = `${options.prefix}_${options.kind}`;
    this.#own = `${this.#stream}.${options.member}`;
  }

  stage(payloads: readonly Uint8Array[]): StagedPayloads {
    for (const payload of payloads) {
      if (payload.byteLength > MAX_FEED_PAYLOAD) {
        throw new LambdaliteError(
          'InvalidArgument',
          `a ${this.#options.kind} feed payload is at most ${MAX_FEED_PAYLOAD} bytes, got ${payload.byteLength}`,
        );
      }
    }
    const keys = payloads.map(() => `${this.#run}${encodeUint(this.#nextEntry++, ENTRY_WIDTH)}`);
    return {
      ops: keys.map((key, i) => putOp(this.#outbox, key, payloads[i] as Uint8Array)),
      send: () =>
        this.#send(keys.map((key, i) => [key, payloads[i] as Uint8Array])).catch((err: unknown) => {
          this.retryLater();
          throw err;
        }),
    };
  }

  /**
   * Arms a retry of everything in the outbox (after a failed send or replay): the first after
   * 500 ms, each failure doubling the delay up to 30 s, a success starting again from 500 ms.
   * One retry is armed at a time; `close` disarms it.
   */
  retryLater(): void {
    if (this.#closed || this.#retryTimer !== undefined || this.#retrying !== undefined) return;
    const delayMs = this.#retryMs;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#retrying = this.replay().then(
        () => {
          this.#retryMs = RETRY_FIRST_MS;
          this.#retrying = undefined;
        },
        () => {
          this.#retryMs = Math.min(RETRY_CAP_MS, this.#retryMs * 2);
          this.#retrying = undefined;
          this.retryLater();
        },
      );
    }, delayMs);
    this.#retryTimer.unref?.();
  }

  /** Disarms the retry and waits for one under way; what is left is sent at the next open. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#retrying;
  }

  /**
   * Publishes what a process killed (or cut off from the cluster) left in the outbox; called when
   * the engine opens. An entry whose publish did reach the cluster before the kill carries the
   * same message id, so the stream keeps one copy (within its duplicate window: past it, the
   * followers write the same keys again, which changes nothing they answer).
   */
  async replay(): Promise<number> {
    let sent = 0;
    let after = '';
    // In groups, each deleted once acknowledged: a long outage may have left many.
    for (;;) {
      const entries = await this.#outbox.iterator({ gt: after, limit: REPLAY_GROUP }).all();
      if (entries.length === 0) return sent;
      await this.#send(entries);
      sent += entries.length;
      after = (entries.at(-1) as readonly [string, Uint8Array])[0];
    }
  }

  async #send(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    if (entries.length === 0) return;
    await this.#ensure();
    await Promise.all(
      entries.map(([key, payload]) =>
        this.#js.publish(this.#own, payload, { msgID: `${this.#options.member}.${key}` }),
      ),
    );
    await this.#storage.batch(entries.map(([key]) => delOp(this.#outbox, key)));
  }

  follow(apply: FeedApplier): () => Promise<void> {
    if (this.#following) throw new Error(`the ${this.#options.kind} feed is followed already`);
    this.#following = true;
    let stopped = false;
    let current: ConsumerMessages | undefined;
    let wake: (() => void) | undefined;
    const loop = (async () => {
      const stored = await this.#positions.get(this.#options.kind).catch(() => undefined);
      this.#advance(typeof stored === 'number' ? stored : 0);
      while (!stopped) {
        try {
          await this.#ensure();
          const consumer = await this.#js.consumers.get(this.#stream, {
            filter_subjects: `${this.#stream}.>`,
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: this.#applied + 1,
          });
          const messages = await consumer.consume();
          current = messages;
          if (stopped) break;
          for await (const msg of messages) {
            if (stopped) break;
            if (msg.subject !== this.#own) {
              await apply({
                payload: msg.data,
                positionOp: putOp(this.#positions, this.#options.kind, msg.seq),
              });
            }
            this.#advance(msg.seq);
          }
        } catch {
          // The stream is being created or the connection is closing: start again from the last
          // applied sequence, after a pause (real time: this is I/O, not the engine's time).
        } finally {
          // Closing the consumer is not awaited: on a consumer that never delivered it can wait
          // for a pull that no one answers, and the engine's close would wait with it.
          current?.stop();
          void current?.close().catch(() => undefined);
          current = undefined;
        }
        if (stopped) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RESTART_MS).unref();
        });
      }
    })();
    return async () => {
      stopped = true;
      wake?.();
      current?.stop();
      await loop;
      for (const waiter of this.#waiters) waiter.resolve();
      this.#waiters = [];
    };
  }

  async caughtUp(): Promise<void> {
    await this.#ensure();
    const info = await this.#jsm.streams.info(this.#stream);
    const last = info.state.last_seq;
    if (this.#applied >= last) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push({ seq: last, resolve });
        timer = setTimeout(
          () =>
            reject(
              new LambdaliteError(
                'ServiceException',
                `the ${this.#options.kind} of other engine processes did not arrive within ` +
                  `${this.#options.catchUpMs} ms (applied up to ${this.#applied} of ${last} in ${this.#stream})`,
              ),
            ),
          this.#options.catchUpMs,
        );
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #advance(seq: number): void {
    if (seq <= this.#applied) return;
    this.#applied = seq;
    if (this.#waiters.length === 0) return;
    const still: Array<{ seq: number; resolve: () => void }> = [];
    for (const waiter of this.#waiters) {
      if (waiter.seq <= seq) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  #ensure(): Promise<void> {
    if (!this.#ensured) {
      const config: Partial<StreamConfig> & { name: string } = {
        name: this.#stream,
        subjects: [`${this.#stream}.>`],
        num_replicas: this.#options.replicas,
        storage: StorageType.File,
        max_age: this.#options.maxAgeMs * 1_000_000,
      };
      const ensured = contended(() => this.#jsm.streams.add(config)).then(() => undefined);
      ensured.catch(() => {
        if (this.#ensured === ensured) this.#ensured = undefined;
      });
      this.#ensured = ensured;
    }
    return this.#ensured;
  }
}
