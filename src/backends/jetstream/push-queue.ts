/**
 * The async (push) queue on JetStream: a work-queue stream every engine process publishes to and
 * one durable pull consumer they all fetch from, so each event is delivered by one process per
 * attempt. docs/notes/jetstream.md ("The async queue") has the design; in short:
 *
 * - Stream `<prefix>_queue`, subjects `<prefix>.queue.<function>`, work-queue retention, file
 *   storage, `replicas` replicas. One message per queued event, its body the `QueueEntry` JSON
 *   (payload, attempts, throttles, next attempt time on the engine clock). Message id
 *   `<requestId>.<enqueuedAt>.<attempts>.<throttles>`: a retried publish of the same state of an
 *   event is stored once.
 * - Consumer `dispatch`, explicit acknowledgement, `ack_wait` = `ackWaitMs`; a process keeps the
 *   messages it holds alive with `working()` every third of it, so a process that dies lets its
 *   messages go to the others after `ack_wait`.
 * - A message fetched before its due time (engine clock) is `nak`ed with the time left, at most
 *   `retryCheckMs`, and looked at again then: the engine clock, not the server's, decides when an
 *   attempt is made (tests drive it with a ManualClock).
 * - A delivery's outcome: the next state of the event (a retry, a function destination) is
 *   published and the dead letter put in the KV bucket `<prefix>_dead` first; then the message
 *   is acknowledged (`term()` when the event ends on the failure path).
 * - Bucket notifications are written with the object into the engine's LevelDB (`push-outbox`)
 *   and published once that batch committed; what is left there is published at the next open.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { delay } from '../../clock.js';
import type {
  PushQueueBackend,
  PushQueueDriver,
  PushQueueHost,
  QueuedItem,
  QueueOp,
  QueueWrites,
} from '../../dispatch/push/queue-backend.js';
import { entryJson } from '../../dispatch/push/store.js';
import type { DeadLetter, QueueEntry } from '../../dispatch/push/types.js';
import { delOp, putJsonTextOp, type Storage, type Sub } from '../../storage/storage.js';
import { contended } from './contended.js';
import { JetStreamInvokeConfigs } from './invoke-configs.js';
import { storedKeys } from './kv-keys.js';
import { openMembersBucket, QueueMembers } from './queue-members.js';

export interface JetStreamQueueOptions {
  readonly prefix: string;
  readonly replicas: number;
  /** The consumer's `ack_wait`: a dead process's events go to the others after about this. */
  readonly ackWaitMs: number;
  /** Longest `nak` delay for an event not yet due: how often a waiting retry is looked at. */
  readonly retryCheckMs: number;
  /** This process's id among the processes delivering from the queue (queue-members.ts). */
  readonly member: string;
}

const CONSUMER = 'dispatch';
/** Fetch requests wait this long for messages (the client's minimum is 1 s). */
const FETCH_EXPIRES_MS = 5_000;
/** Delay of a message fetched for a function whose slots and read-ahead are full. */
const BUSY_NAK_MS = 250;
/** After a failed fetch (a reconnect), wait this long before the next. */
const FETCH_RETRY_MS = 500;

type Action =
  | { readonly queueAction: 'put'; readonly entry: QueueEntry; readonly payloadJson?: string }
  | { readonly queueAction: 'remove'; readonly entry: QueueEntry; readonly failed: boolean }
  | { readonly queueAction: 'dead'; readonly letter: DeadLetter };

/** The backend part: opens one driver per engine. */
export class JetStreamPushQueue implements PushQueueBackend {
  /** The processes delivering from the queue, for shares of reserved concurrency. */
  readonly members: QueueMembers;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly storage: Storage,
    private readonly options: JetStreamQueueOptions,
    readonly invokeConfigs: JetStreamInvokeConfigs,
    members: KV,
  ) {
    this.members = new QueueMembers(members, options.member, options.ackWaitMs);
  }

  /** Opens the shared event invoke configs and the members bucket; the queue itself on first use. */
  static async open(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    storage: Storage,
    options: JetStreamQueueOptions,
  ): Promise<JetStreamPushQueue> {
    const { prefix, replicas, ackWaitMs } = options;
    const [configs, members] = await Promise.all([
      JetStreamInvokeConfigs.open(nc, { prefix, replicas }),
      openMembersBucket(nc, { prefix, replicas, ttlMs: ackWaitMs }),
    ]);
    return new JetStreamPushQueue(nc, js, jsm, storage, options, configs, members);
  }

  open(host: PushQueueHost): PushQueueDriver {
    return new JetStreamQueueDriver(
      this.nc,
      this.js,
      this.jsm,
      this.storage,
      this.options,
      host,
      this.members,
    );
  }

  /** Stops the watches (after the engine's driver closed). */
  async close(): Promise<void> {
    await this.members.close();
    await this.invokeConfigs.close();
  }
}

/** The stream's message id for one state of an event (see the file comment). */
export function queueMessageId(entry: QueueEntry): string {
  return `${entry.requestId}.${entry.enqueuedAt}.${entry.attempts}.${entry.throttles}`;
}

interface Held {
  readonly msg: JsMsg;
  readonly entry: QueueEntry;
  /** Set once the message was acknowledged or terminated. */
  settled: boolean;
  /** The server's confirmation of that acknowledgement (or termination), awaited off the slot. */
  confirmed?: Promise<void>;
}

class JetStreamQueueDriver implements PushQueueDriver {
  readonly #host: PushQueueHost;
  readonly #writes: QueueWrites;
  readonly #writeOps: (ops: readonly QueueOp[]) => Promise<void>;
  readonly #options: JetStreamQueueOptions;
  readonly #stream: string;
  readonly #outbox: Sub<QueueEntry>;
  readonly #storage: Storage;
  readonly #members: QueueMembers;
  #ready: Promise<{ consumer: Consumer; dead: KV }> | undefined;
  #started = false;
  #closed = false;
  #loop: Promise<void> = Promise.resolve();
  #fetch: ConsumerMessages | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Messages this process holds, by stream sequence: waiting for a slot or being delivered. */
  readonly #held = new Map<number, Held>();
  /** The held message being delivered, by request id (what a delivery's writes settle). */
  readonly #delivering = new Map<string, Held>();
  /** Held messages waiting for a slot, per function, in arrival order. */
  readonly #waiting = new Map<string, Held[]>();
  /** Deliveries running, by request id. */
  readonly #running = new Map<string, Promise<void>>();
  /** Confirmations of acknowledgements sent and not answered yet. */
  readonly #confirming = new Set<Promise<void>>();
  readonly #runningPer = new Map<string, number>();
  /**
   * Functions whose configuration is being read (never loaded here yet): their events wait, so
   * reserved concurrency bounds the very first ones (queue-members.ts).
   */
  readonly #loading = new Set<string>();
  /** Resolves the fetch loop's wait for room. */
  #roomFreed: () => void = () => undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    storage: Storage,
    options: JetStreamQueueOptions,
    host: PushQueueHost,
    members: QueueMembers,
  ) {
    this.#host = host;
    this.#members = members;
    this.#options = options;
    this.#stream = `${options.prefix}_queue`;
    this.#storage = storage;
    this.#outbox = storage.sublevel<QueueEntry>('push-outbox');
    this.#writes = {
      putEntryOps: (entry, payloadJson) => [
        { queueAction: 'put', entry, ...(payloadJson === undefined ? {} : { payloadJson }) },
      ],
      removeEntryOps: (entry, failed = false) => [{ queueAction: 'remove', entry, failed }],
      rescheduleOps: (previous, next) => [
        { queueAction: 'put', entry: next },
        { queueAction: 'remove', entry: previous, failed: false },
      ],
      putDeadLetterOps: (letter) => [{ queueAction: 'dead', letter }],
    };
    // Only this driver's QueueWrites build the ops it is given.
    this.#writeOps = (ops) => this.#write(ops as readonly Action[]);
  }

  /** The stream, the consumer and the dead-letter bucket, made once (idempotent across processes). */
  #setup(): Promise<{ consumer: Consumer; dead: KV }> {
    this.#ready ??= (async () => {
      const { prefix, replicas, ackWaitMs } = this.#options;
      await contended(() =>
        this.jsm.streams.add({
          name: this.#stream,
          subjects: [`${prefix}.queue.>`],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          num_replicas: replicas,
          duplicate_window: 120_000 * 1_000_000,
        }),
      );
      const config = {
        durable_name: CONSUMER,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWaitMs * 1_000_000,
        max_deliver: -1,
        max_ack_pending: -1,
      };
      try {
        await this.jsm.consumers.add(this.#stream, config);
      } catch {
        // Made by another process, perhaps with another ack_wait: use it as it is.
        await contended(() => this.jsm.consumers.info(this.#stream, CONSUMER));
      }
      const consumer = await this.js.consumers.get(this.#stream, CONSUMER);
      const dead = await contended(() => new Kvm(this.nc).create(`${prefix}_dead`, { history: 1, replicas }));
      return { consumer, dead };
    })();
    // A failed setup (the cluster unreachable) is tried again by the next call.
    this.#ready.catch(() => {
      this.#ready = undefined;
    });
    return this.#ready;
  }

  start(): void {
    this.#started = true;
    const { ackWaitMs } = this.#options;
    this.#heartbeat = setInterval(() => this.#keepAlive(), Math.max(100, Math.floor(ackWaitMs / 3)));
    this.#heartbeat.unref?.();
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    try {
      await this.#publishOutbox();
    } catch {
      // Left in the outbox: published at the next open.
    }
    try {
      // Listed among the members before the first fetch, so the first shares count this process.
      await this.#members.start();
    } catch {
      // The cluster unreachable: shares count this process alone until a refresh succeeds.
    }
    while (!this.#closed) {
      const room = this.#room();
      if (room <= 0) {
        await new Promise<void>((resolve) => {
          this.#roomFreed = resolve;
        });
        continue;
      }
      try {
        const { consumer } = await this.#setup();
        if (this.#closed) return;
        const batch = await consumer.fetch({ max_messages: room, expires: FETCH_EXPIRES_MS });
        this.#fetch = batch;
        for await (const msg of batch) this.#take(msg);
      } catch {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, FETCH_RETRY_MS).unref?.());
      } finally {
        this.#fetch = undefined;
      }
    }
  }

  #overall(): number {
    return this.#host.overall();
  }

  /**
   * The function's bound here: the per-function bound, lowered to this process's share of the
   * function's reserved concurrency (queue-members.ts), so the processes together run at most
   * the reserved concurrency. 0 (reserved concurrency 0) is no bound here: delivery sends such
   * events to the failure path.
   */
  #cap(functionName: string): number {
    const bound = this.#host.cap(functionName);
    const reserved = this.#host.reserved(functionName);
    if (reserved === undefined || reserved === 0) return bound;
    return Math.min(bound, this.#members.share(reserved));
  }

  /** Messages this process may still take: twice its slots, the read-ahead included. */
  #room(): number {
    return 2 * this.#overall() - this.#held.size;
  }

  #take(msg: JsMsg): void {
    let entry: QueueEntry;
    try {
      entry = msg.json<QueueEntry>();
    } catch {
      // Not an entry this engine wrote: nothing can deliver it.
      msg.term('not a lambdalite queue entry');
      return;
    }
    if (this.#closed) {
      msg.nak();
      return;
    }
    // Redelivered while this process still holds it (it stalled past ack_wait): ours settles it.
    if (this.#held.has(msg.seq)) return;
    const now = this.#host.clock.now();
    if (entry.nextAttemptAt > now) {
      msg.nak(Math.min(entry.nextAttemptAt - now, this.#options.retryCheckMs));
      return;
    }
    const name = entry.functionName;
    const waiting = this.#waiting.get(name) ?? [];
    // Until its configuration is read, a function's read-ahead is that of a bound of 1.
    const loading = this.#load(name);
    if (waiting.length >= 2 * (loading ? 1 : this.#cap(name))) {
      msg.nak(BUSY_NAK_MS);
      return;
    }
    const held: Held = { msg, entry, settled: false };
    this.#held.set(msg.seq, held);
    waiting.push(held);
    this.#waiting.set(name, waiting);
    this.#startWaiting(name);
  }

  /**
   * Whether the function's configuration is still being read: starts reading it the first time
   * one of its events arrives here, and starts its waiting events once it is read (or the read
   * failed: the delivery then reads it again and answers its error).
   */
  #load(name: string): boolean {
    if (this.#loading.has(name)) return true;
    const loaded = this.#host.load(name);
    if (loaded === undefined) return false;
    this.#loading.add(name);
    void loaded
      .catch(() => undefined)
      .then(() => {
        this.#loading.delete(name);
        this.#startWaiting(name);
      });
    return true;
  }

  #startWaiting(name: string): void {
    if (this.#loading.has(name)) return;
    const waiting = this.#waiting.get(name);
    const cap = this.#cap(name);
    while (
      waiting !== undefined &&
      waiting.length > 0 &&
      !this.#closed &&
      (this.#runningPer.get(name) ?? 0) < cap &&
      this.#running.size < this.#overall()
    ) {
      const held = waiting.shift() as Held;
      if (this.#delivering.has(held.entry.requestId)) {
        // Another state of an event this process is delivering (a crash elsewhere redelivered
        // both): after this delivery settles, by which time its retry supersedes or joins it.
        this.#held.delete(held.msg.seq);
        held.msg.nak(this.#options.retryCheckMs);
        continue;
      }
      this.#start(held);
    }
    // More than the read-ahead of the bound (its configuration just read, or this process's
    // share fell as processes joined): handed back for the others, newest first.
    while (waiting !== undefined && waiting.length > 2 * cap && !this.#closed) {
      const held = waiting.pop() as Held;
      this.#held.delete(held.msg.seq);
      try {
        held.msg.nak(BUSY_NAK_MS);
      } catch {
        // Gone with the connection: back after ack_wait.
      }
      this.#roomFreed();
    }
    if (waiting?.length === 0) this.#waiting.delete(name);
  }

  #start(held: Held): void {
    const { requestId, functionName } = held.entry;
    this.#delivering.set(requestId, held);
    this.#runningPer.set(functionName, (this.#runningPer.get(functionName) ?? 0) + 1);
    const task = this.#host.deliver(held.entry, this.#writes, this.#writeOps).then(async (written) => {
      if (!held.settled) {
        // Nothing settled the message: the engine closed under the invocation, or even the
        // service-error reschedule could not be written. Another process (or this one) takes it
        // again: at once when closing, after the retry check otherwise (no hot loop).
        try {
          held.msg.nak(written ? 0 : this.#options.retryCheckMs);
        } catch {
          // The connection is gone: the message comes back after ack_wait.
        }
      }
      // The slot is free once the acknowledgement is sent; the message stays held (counted by
      // idle() and the fetch window) until the server confirmed it.
      this.#delivering.delete(requestId);
      const left = (this.#runningPer.get(functionName) ?? 1) - 1;
      if (left === 0) this.#runningPer.delete(functionName);
      else this.#runningPer.set(functionName, left);
      this.#running.delete(requestId);
      this.#startWaiting(functionName);
      for (const name of [...this.#waiting.keys()]) this.#startWaiting(name);
      if (held.confirmed !== undefined) await held.confirmed;
      this.#held.delete(held.msg.seq);
      this.#roomFreed();
    });
    this.#running.set(requestId, task);
  }

  /** Tells the server every held message is still being worked on (ack_wait starts again). */
  #keepAlive(): void {
    for (const held of this.#held.values()) {
      if (held.settled) continue;
      try {
        held.msg.working();
      } catch {
        // Reconnecting: the next beat tries again.
      }
    }
  }

  /**
   * One delivery's outcome: new states and dead letters first (each acknowledged by the cluster),
   * then the message's acknowledgement, so a crash in between redelivers the event rather than
   * losing it. The acknowledgement is sent, not awaited: its confirmation is awaited off the
   * function's slot (#start), so the next event starts without waiting a replicated round trip.
   * A confirmation that never comes (the connection lost with it) leaves the message to be
   * redelivered after ack_wait: the attempt may be made twice, never lost.
   */
  async #write(actions: readonly Action[]): Promise<void> {
    const { dead } = await this.#setup();
    const puts: Array<Promise<unknown>> = [];
    for (const action of actions) {
      if (action.queueAction === 'put') puts.push(this.#publish(action.entry, action.payloadJson));
      else if (action.queueAction === 'dead') {
        const { letter } = action;
        puts.push(dead.put(deadKey(letter.functionName, letter.requestId), JSON.stringify(letter)));
      }
    }
    await Promise.all(puts);
    for (const action of actions) {
      if (action.queueAction !== 'remove') continue;
      const held = this.#delivering.get(action.entry.requestId);
      if (held === undefined || held.settled) continue;
      held.settled = true;
      const confirmation = action.failed ? this.#terminate(held.msg) : held.msg.ackAck();
      const confirmed = confirmation.then(
        () => undefined,
        () => undefined,
      );
      held.confirmed = confirmed;
      // Counted from the moment it is sent: the delivery's events are emitted after this returns,
      // and pendingCount() right after one must not see the message as pending.
      this.#confirming.add(confirmed);
      void confirmed.then(() => this.#confirming.delete(confirmed));
    }
  }

  /**
   * `term()`, confirmed: the client's `term` expects no answer, so it is sent as a request (the
   * server answers an acknowledgement that has a reply subject, as `ackAck` does for `ack`).
   */
  async #terminate(msg: JsMsg): Promise<void> {
    const reply = (msg as JsMsg & { reply?: string }).reply;
    if (reply === undefined || reply === '') {
      msg.term();
      return;
    }
    await this.nc.request(reply, '+TERM', { timeout: 5_000 });
  }

  #publish(entry: QueueEntry, payloadJson?: string, msgID = queueMessageId(entry)): Promise<unknown> {
    const body = payloadJson === undefined ? JSON.stringify(entry) : entryJson(entry, payloadJson);
    return this.js.publish(`${this.#options.prefix}.queue.${entry.functionName}`, body, { msgID });
  }

  async put(items: readonly QueuedItem[]): Promise<void> {
    await this.#setup();
    await Promise.all(items.map(({ entry, payloadJson }) => this.#publish(entry, payloadJson)));
  }

  handOver(): void {
    // The consumer hands every event to whichever process fetches it.
  }

  putOps(items: readonly QueuedItem[]) {
    return items.map(({ entry, payloadJson }) =>
      putJsonTextOp(this.#outbox, entry.requestId, entryJson(entry, payloadJson)),
    );
  }

  async committed(items: readonly QueuedItem[]): Promise<void> {
    await this.put(items);
    await this.#storage.batch(items.map(({ entry }) => delOp(this.#outbox, entry.requestId)));
  }

  /** Publishes notifications a crash (or a lost connection) left in the outbox. */
  async #publishOutbox(): Promise<void> {
    const entries = await this.#outbox.values().all();
    if (entries.length === 0) return;
    await this.put(entries.map((entry) => ({ entry, payloadJson: JSON.stringify(entry.payload) })));
    await this.#storage.batch(entries.map((entry) => delOp(this.#outbox, entry.requestId)));
  }

  async deadLetters(functionName: string): Promise<DeadLetter[]> {
    const { dead } = await this.#setup();
    const keys = await storedKeys(dead, `${functionName}.*`);
    const letters = await Promise.all(keys.map((key) => dead.get(key)));
    return letters.flatMap((e) =>
      e === null || e.operation !== 'PUT' || e.length === 0 ? [] : [e.json<DeadLetter>()],
    );
  }

  async redrive(letters: readonly DeadLetter[], entries: readonly QueueEntry[]): Promise<void> {
    const { dead } = await this.#setup();
    // A fresh message id: the redriven event's first state may equal an earlier one's.
    await Promise.all(
      entries.map((entry) => this.#publish(entry, undefined, `${entry.requestId}.${randomUUID()}`)),
    );
    await Promise.all(letters.map((letter) => dead.purge(deadKey(letter.functionName, letter.requestId))));
  }

  wake(): void {}

  /**
   * The consumer's view (read from its leader, which answered every acknowledgement of this
   * process): messages never delivered, and delivered ones not acknowledged yet (running, or
   * nak'ed until due). The stream's own count lags: a work queue deletes acknowledged messages
   * through its Raft group afterwards. Plus notifications still in the outbox.
   */
  async pendingCount(): Promise<number> {
    // Acknowledgements this process sent are answered first, so the consumer counts them.
    await Promise.all([...this.#confirming]);
    const { consumer } = await this.#setup();
    const info = await consumer.info();
    return info.num_pending + info.num_ack_pending + (await this.#outbox.keys().all()).length;
  }

  /**
   * Resolves once no delivery runs or waits here and the consumer has no message it never
   * delivered: events scheduled for later (nak'ed until due) do not count, as the embedded
   * queue's armed timer does not.
   */
  async idle(): Promise<void> {
    for (;;) {
      while (this.#running.size > 0 || this.#held.size > 0) {
        await Promise.allSettled([...this.#running.values(), ...this.#confirming]);
        if (this.#running.size === 0 && this.#confirming.size === 0 && this.#held.size > 0) break;
      }
      if (this.#closed || !this.#started) return;
      const { consumer } = await this.#setup();
      const info = await consumer.info();
      if (info.num_pending === 0 && this.#running.size === 0 && this.#held.size === 0) return;
      // Undelivered messages: wait for this process to take one (or for another to), bounded.
      await new Promise((resolve) => setTimeout(resolve, 20).unref?.());
    }
  }

  get inFlight(): number {
    return this.#running.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#fetch?.stop();
    this.#roomFreed();
    await this.#loop;
    // Waiting messages go back at once, for another process (or the next open).
    for (const waiting of this.#waiting.values()) {
      for (const held of waiting) {
        held.settled = true;
        this.#held.delete(held.msg.seq);
        try {
          held.msg.nak();
        } catch {
          // Gone with the connection: back after ack_wait.
        }
      }
    }
    this.#waiting.clear();
    if (this.#running.size === 0 || this.#host.closeDrainMs === 0) return;
    const abort = new AbortController();
    const bound = delay(this.#host.clock, this.#host.closeDrainMs, abort.signal).catch(() => undefined);
    await Promise.race([Promise.allSettled([...this.#running.values()]), bound]);
    abort.abort();
  }
}

function deadKey(functionName: string, requestId: string): string {
  return `${functionName}.${requestId}`;
}
