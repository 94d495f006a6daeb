/**
 * The shard log's records in JetStream: one replicated JetStream stream per lambdalite stream
 * (named by the stream's uid, so a deleted and re-created stream never meets its old records), a
 * subject per shard, one message per append holding the same chunk LevelDB stores
 * (record-codec.ts). Sequence numbers keep their AWS shape: they are made by the shard log as
 * embedded and travel inside the chunk; the message id names the append's place in the shard
 * (shard-slot.ts), so a retried publish lands once and of two writers' appends to one place one
 * is stored. A closed parent ends with a fence (shard-fence.ts).
 *
 * Finding where a read starts: chunks of one subject are in the same order by JetStream sequence
 * and by lambdalite sequence, so a binary search over the stream's sequences with "next message
 * of this subject at or after" gets finds the first chunk that may hold the position in
 * log2(messages) round trips. Continuing a read (the pollers, getRecords with the next iterator)
 * hits a small per-shard cache of where each chunk's successor starts instead.
 */
import { randomBytes } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, StoredMsg, StreamConfig } from '@nats-io/jetstream';
import { StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BatchOp, Storage } from '../../storage/storage.js';
import { storedSequences } from '../../streams/record-codec.js';
import { type ChunkSource, type ReadOptions, readChunks, readLowerBound } from '../../streams/shard-read.js';
import { type ShardStore, ShardWriteConflict, type StoredShard } from '../../streams/shard-store.js';
import type { Position, ReadResult, ShardState, StreamState } from '../../streams/shard-types.js';
import { contended, isContention } from './contended.js';
import { fenceEnd, isFence, lastOf, placeFence } from './shard-fence.js';
import { isNoMessage, isWrongLast, type PlaceDeps, type PlaceResult, publishInPlace } from './shard-slot.js';

export interface JetStreamShardStoreOptions {
  /** Replicas of each stream (1, 3 or 5). */
  readonly replicas: number;
  /** First token of every subject and stream name, so several apps can share a cluster. */
  readonly prefix: string;
  /**
   * Real-time ms between two checks of the streams this process reads for appends whose wake-up
   * notice was lost (the backstop of `watch`).
   */
  readonly wakeCheckMs: number;
}

/** How often and how long `#led` checks a new stream for its leader (real time). */
const LEADER_CHECKS = 50;
const LEADER_CHECK_MS = 100;
/** Tries of one publish that found no responder. */
const PUBLISH_ATTEMPTS = 5;
/** Tries of one message read that timed out. */
const READ_ATTEMPTS = 3;
/** Successor positions remembered per shard: enough for every poller and open iterator. */
const POSITIONS_PER_SHARD = 256;

interface Located {
  /** JetStream sequence to scan from (with next_by_subj). */
  start: number;
  /** The last sequence number of the chunk just before `start` on the subject, if one was seen. */
  before: string | undefined;
}

export class JetStreamShardStore implements ShardStore {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #storage: Storage;
  readonly #options: JetStreamShardStoreOptions;
  readonly #ensured = new Map<string, Promise<void>>();
  /** subject -> (chunk's last sequence -> JetStream sequence where the next chunk may start). */
  readonly #positions = new Map<string, Map<string, number>>();
  /** Shards this process read or wrote (subject -> uid, prefix): re-checked after a reconnect. */
  readonly #known = new Map<string, { uid: string; prefix: string }>();
  /** Per stream uid, its JetStream last sequence at the previous backstop check. */
  readonly #checkedSeq = new Map<string, number>();
  /** subject -> JetStream sequence of its last message as this process last saw it. */
  readonly #lastStored = new Map<string, number>();
  /** subject -> the end of a shard whose fence this process saw or placed (shard-fence.ts). */
  readonly #fenced = new Map<string, string | undefined>();
  /** This store's id in message ids (see append). */
  readonly #writer = randomBytes(6).toString('hex');

  constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    storage: Storage,
    options: JetStreamShardStoreOptions,
  ) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#storage = storage;
    this.#options = options;
  }

  async lastSequences(shards: readonly StoredShard[]): Promise<Map<StoredShard, string>> {
    const out = new Map<StoredShard, string>();
    await Promise.all(
      shards.map(async (shard) => {
        const subject = this.#subject(shard.uid, shard.prefix);
        this.#known.set(subject, { uid: shard.uid, prefix: shard.prefix });
        const msg = await this.#get(shard.uid, { last_by_subj: subject });
        // Also where the next append's expectation starts (0: the subject holds nothing yet).
        if (!this.#lastStored.has(subject)) this.#lastStored.set(subject, msg?.seq ?? 0);
        const fenced = msg && isFence(msg) ? await this.#fenceEnd(shard.uid, msg) : null;
        if (fenced !== null) this.#fenced.set(subject, fenced);
        const last = fenced === null ? (msg ? lastOf(msg) : '') : (fenced ?? '');
        if (last !== '') out.set(shard, last);
      }),
    );
    return out;
  }

  /**
   * Publishes the chunk, then commits `extraOps` (a table's item) to the engine's storage: the
   * two are not one atomic write on this backend (docs/notes/jetstream.md).
   */
  async append(
    stream: StreamState,
    shard: ShardState,
    last: string,
    chunk: Buffer,
    extraOps: readonly BatchOp[],
  ): Promise<void> {
    const uid = stream.meta.uid;
    await this.#ensure(uid);
    const subject = this.#subject(uid, shard.prefix);
    // Closed by a reshard made elsewhere: the records go to the children (the log routes again).
    if (this.#fenced.has(subject)) throw new ShardWriteConflict(this.#fenced.get(subject), true);
    // Several writers per shard: the publish holds only if the subject's last message is still
    // the one this process numbered after; otherwise the log renumbers past the newer one.
    let expected = this.#lastStored.get(subject);
    if (expected === undefined) {
      const msg = await this.#get(uid, { last_by_subj: subject });
      expected = msg?.seq ?? 0;
      this.#lastStored.set(subject, expected);
      if (msg && isFence(msg)) throw await this.#closed(uid, subject, msg);
      const first = storedSequences(chunk, '')[0] ?? last;
      if (msg && lastOf(msg) >= first) throw new ShardWriteConflict(lastOf(msg));
    }
    // The place's message id makes sure at most one append takes it on any server version
    // (shard-slot.ts); a place taken, or a stale expectation, means another process appended.
    let result: PlaceResult;
    try {
      result = await publishInPlace(
        this.#placeDeps(uid),
        { subject, stem: `${uid}.${shard.prefix}`, expected },
        chunk,
        this.#writer,
      );
    } catch (err) {
      if (!isWrongLast(err)) throw err;
      result = { taken: true };
    }
    if ('taken' in result) {
      const msg = await this.#get(uid, { last_by_subj: subject });
      this.#lastStored.set(subject, msg?.seq ?? 0);
      if (msg && isFence(msg)) throw await this.#closed(uid, subject, msg);
      throw new ShardWriteConflict(msg ? lastOf(msg) : undefined);
    }
    const ack = result.stored;
    this.#lastStored.set(subject, ack.seq);
    this.#remember(subject, last, ack.seq + 1);
    // Core NATS (at most once): wakes the readers of other processes; they read from the stream.
    this.#nc.publish(`${this.#options.prefix}_wake.${uid}.${shard.prefix}`, last);
    if (extraOps.length > 0) await this.#storage.batch([...extraOps]);
  }

  async fence(stream: StreamState, shard: ShardState): Promise<string | undefined> {
    const uid = stream.meta.uid;
    const subject = this.#subject(uid, shard.prefix);
    if (this.#fenced.has(subject)) return this.#fenced.get(subject);
    // A shard closed before its stream took any write: the fence makes the stream.
    await this.#ensure(uid);
    const fence = await placeFence(
      { place: this.#placeDeps(uid), last: () => this.#get(uid, { last_by_subj: subject }) },
      { subject, stem: `${uid}.${shard.prefix}` },
      this.#writer,
    );
    const end = await this.#fenceEnd(uid, fence);
    this.#fenced.set(subject, end);
    return end;
  }

  #placeDeps(uid: string): PlaceDeps {
    return {
      js: this.#js,
      at: (seq) =>
        this.#get(uid, { seq }).catch((err: unknown) => (isNoMessage(err) ? null : Promise.reject(err))),
      // No responders: the stream's group had no leader yet (a stream just made, a loaded
      // cluster), so nothing was stored and the same publish is sent again.
      send: (publish) => contended(publish, PUBLISH_ATTEMPTS, isNoResponders),
    };
  }

  #fenceEnd(uid: string, fence: StoredMsg): Promise<string | undefined> {
    return fenceEnd(fence, this.#placeDeps(uid).at);
  }

  /** The refusal of an append to a fenced shard; remembered so later appends fail at once. */
  async #closed(uid: string, subject: string, fence: StoredMsg): Promise<ShardWriteConflict> {
    const end = await this.#fenceEnd(uid, fence);
    this.#fenced.set(subject, end);
    return new ShardWriteConflict(end, true);
  }

  watch(onAppend: (uid: string, prefix: string, last: string) => void): () => void {
    const wake = `${this.#options.prefix}_wake.`;
    const sub = this.#nc.subscribe(`${wake}>`, {
      callback: (err, msg) => {
        if (err) return;
        const [uid, prefix] = msg.subject.slice(wake.length).split('.');
        if (uid && prefix) onAppend(uid, prefix, msg.string());
      },
    });
    // Notices are at most once: those published while this connection was down are lost, so
    // after a reconnect every shard this process reads is checked against the stream itself.
    let watching = true;
    void (async () => {
      for await (const status of this.#nc.status()) {
        if (!watching) return;
        if (status.type !== 'reconnect') continue;
        for (const { uid, prefix } of [...this.#known.values()]) {
          const msg = await this.#get(uid, { last_by_subj: this.#subject(uid, prefix) }).catch(() => null);
          const last = msg ? lastOf(msg) : '';
          if (last !== '') onAppend(uid, prefix, last);
        }
      }
    })();
    // The backstop: a notice can also be lost without a reconnect this process saw (a slow
    // consumer, a route between servers going down). A real-time timer, not the engine clock: the
    // loss happens in real time, and a ManualClock that never moves would otherwise leave a
    // reader waiting for good. One STREAM.INFO per stream read here per check; the shards' last
    // messages are fetched only when the stream's last sequence moved since the previous check.
    let checking = false;
    const timer = setInterval(() => {
      if (checking || !watching) return;
      checking = true;
      void this.#checkKnown(onAppend).finally(() => {
        checking = false;
      });
    }, this.#options.wakeCheckMs);
    timer.unref();
    return () => {
      watching = false;
      clearInterval(timer);
      sub.unsubscribe();
    };
  }

  /** Calls `onAppend` with the last sequence of every known shard of a stream that moved. */
  async #checkKnown(onAppend: (uid: string, prefix: string, last: string) => void): Promise<void> {
    const byUid = new Map<string, string[]>();
    for (const { uid, prefix } of this.#known.values()) byUid.set(uid, [...(byUid.get(uid) ?? []), prefix]);
    for (const [uid, prefixes] of byUid) {
      const info = await this.#jsm.streams.info(this.#streamName(uid)).catch(() => null);
      if (!info || this.#checkedSeq.get(uid) === info.state.last_seq) continue;
      this.#checkedSeq.set(uid, info.state.last_seq);
      for (const prefix of prefixes) {
        const msg = await this.#get(uid, { last_by_subj: this.#subject(uid, prefix) }).catch(() => null);
        const last = msg ? lastOf(msg) : '';
        if (last !== '') onAppend(uid, prefix, last);
      }
    }
  }

  async read(
    stream: StreamState,
    shard: ShardState,
    from: Position,
    limit: number,
    options: ReadOptions,
  ): Promise<ReadResult> {
    const uid = stream.meta.uid;
    const subject = this.#subject(uid, shard.prefix);
    if (!this.#known.has(subject)) this.#known.set(subject, { uid, prefix: shard.prefix });
    const lower = readLowerBound(shard, from, options.cutoff);
    const located = await this.#locate(uid, subject, lower);
    let next = located?.start;
    const source: ChunkSource = {
      keyOffset: 0,
      // One message per call: a chunk may hold many records, and the reader stops at `limit`.
      nextv: async () => {
        if (next === undefined) return [];
        const msg = await this.#get(uid, { seq: next, next_by_subj: subject });
        // The fence is the subject's last message: nothing follows it.
        if (!msg || isFence(msg)) {
          next = undefined;
          return [];
        }
        const last = lastOf(msg);
        next = msg.seq + 1;
        this.#remember(subject, last, next);
        return [[last, Buffer.from(msg.data)]];
      },
      close: async () => {},
    };
    return readChunks(source, stream, shard, from, lower, limit, options);
  }

  async lastBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<string | undefined> {
    const uid = stream.meta.uid;
    const subject = this.#subject(uid, shard.prefix);
    const located = await this.#search(uid, subject, { op: 'gte', sequence });
    if (!located) return undefined;
    const straddling = await this.#get(uid, { seq: located.start, next_by_subj: subject });
    if (straddling && !isFence(straddling)) {
      const before = storedSequences(Buffer.from(straddling.data), '').filter((s) => s < sequence);
      if (before.length > 0) return before.at(-1);
    }
    return located.before;
  }

  async firstChunkEnd(stream: StreamState, shard: ShardState): Promise<string | undefined> {
    const msg = await this.#get(stream.meta.uid, {
      seq: 1,
      next_by_subj: this.#subject(stream.meta.uid, shard.prefix),
    });
    // Only the fence left: the shard holds no record.
    return msg && !isFence(msg) ? lastOf(msg) : undefined;
  }

  async trimBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<void> {
    const uid = stream.meta.uid;
    const subject = this.#subject(uid, shard.prefix);
    const located = await this.#search(uid, subject, { op: 'gte', sequence });
    if (!located) return;
    // JetStream's purge with a sequence keeps that message and everything after it.
    await this.#jsm.streams.purge(this.#streamName(uid), { filter: subject, seq: located.start });
    this.#positions.delete(subject);
  }

  async dropShard(stream: StreamState, shard: ShardState): Promise<void> {
    const subject = this.#subject(stream.meta.uid, shard.prefix);
    this.#positions.delete(subject);
    this.#lastStored.delete(subject);
    this.#fenced.delete(subject);
    try {
      await this.#jsm.streams.purge(this.#streamName(stream.meta.uid), { filter: subject });
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
  }

  async purge(uid: string): Promise<void> {
    this.#ensured.delete(uid);
    for (const subject of [...this.#positions.keys()]) {
      if (subject.startsWith(`${this.#options.prefix}.${uid}.`)) this.#positions.delete(subject);
    }
    for (const [subject, known] of [...this.#known]) if (known.uid === uid) this.#known.delete(subject);
    for (const subject of [...this.#fenced.keys()]) {
      if (subject.startsWith(`${this.#options.prefix}.${uid}.`)) this.#fenced.delete(subject);
    }
    try {
      await this.#jsm.streams.delete(this.#streamName(uid));
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
    }
  }

  #streamName(uid: string): string {
    return `${this.#options.prefix}_${uid}`;
  }

  #subject(uid: string, shardPrefix: string): string {
    return `${this.#options.prefix}.${uid}.${shardPrefix}`;
  }

  /** Creates the stream once per process; `streams.add` with the same config is idempotent. */
  #ensure(uid: string): Promise<void> {
    let ensured = this.#ensured.get(uid);
    if (!ensured) {
      const config: Partial<StreamConfig> & { name: string } = {
        name: this.#streamName(uid),
        subjects: [`${this.#options.prefix}.${uid}.>`],
        num_replicas: this.#options.replicas,
        storage: StorageType.File,
      };
      ensured = contended(() => this.#jsm.streams.add(config)).then(() => this.#led(config.name));
      ensured.catch(() => this.#ensured.delete(uid));
      this.#ensured.set(uid, ensured);
    }
    return ensured;
  }

  /**
   * Until the stream has a leader: a replicated stream answers `add` before its group elected
   * one, and a publish meanwhile finds no responder (several writers starting at once hit it).
   * Bounded: after it the publish itself reports what is wrong.
   */
  async #led(name: string): Promise<void> {
    for (let i = 0; i < LEADER_CHECKS; i++) {
      const info = await this.#jsm.streams.info(name).catch(() => null);
      if (info && (this.#options.replicas === 1 || info.cluster?.leader)) return;
      await new Promise((resolve) => setTimeout(resolve, LEADER_CHECK_MS));
    }
  }

  /** A stored message, or null when there is none (or the stream was never written). */
  async #get(uid: string, query: object): Promise<StoredMsg | null> {
    try {
      // The 2.9 server answers `seq` + `next_by_subj` on the plain message-get API; the client's
      // type only lists it for direct gets, which would read from possibly lagging replicas.
      // A read is safe to repeat: one that timed out (a loaded cluster, a stream another
      // process made a moment ago) is asked again a few times before the caller hears of it.
      return await contended(
        () => this.#jsm.streams.getMessage(this.#streamName(uid), query as { seq: number }),
        READ_ATTEMPTS,
        (err) => !isStreamNotFound(err) && isContention(err),
      );
    } catch (err) {
      if (isStreamNotFound(err)) return null;
      throw err;
    }
  }

  #remember(subject: string, last: string, nextSeq: number): void {
    let positions = this.#positions.get(subject);
    if (!positions) {
      positions = new Map();
      this.#positions.set(subject, positions);
    }
    positions.set(last, nextSeq);
    if (positions.size > POSITIONS_PER_SHARD) {
      const oldest = positions.keys().next().value;
      if (oldest !== undefined) positions.delete(oldest);
    }
  }

  async #locate(uid: string, subject: string, lower: Position): Promise<Located | undefined> {
    if (lower.op === 'gt') {
      const start = this.#positions.get(subject)?.get(lower.sequence);
      if (start !== undefined) return { start, before: lower.sequence };
    }
    return this.#search(uid, subject, lower);
  }

  /**
   * The first JetStream sequence whose next message on `subject` holds a record past `lower`
   * (or is none): a binary search where a probe that lands on an earlier chunk moves the lower
   * bound past that chunk. The last such chunk is the one just before the answer.
   */
  async #search(uid: string, subject: string, lower: Position): Promise<Located | undefined> {
    let state: { first_seq: number; last_seq: number };
    try {
      state = (await this.#jsm.streams.info(this.#streamName(uid))).state;
    } catch (err) {
      if (isStreamNotFound(err)) return undefined;
      throw err;
    }
    let lo = Math.max(1, state.first_seq);
    let hi = state.last_seq + 1;
    let before: string | undefined;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const msg = await this.#get(uid, { seq: mid, next_by_subj: subject });
      const last = msg ? lastOf(msg) : '';
      // An empty shard's fence stands for no record: the search ends there.
      if (!msg || last === '' || past(last, lower)) hi = mid;
      else {
        before = last;
        lo = msg.seq + 1;
      }
    }
    return { start: lo, before };
  }
}

function past(last: string, lower: Position): boolean {
  return lower.op === 'gt' ? last > lower.sequence : last >= lower.sequence;
}

function isNoResponders(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'NoResponders' || /no responders/i.test(e.message)) return true;
  }
  return false;
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'StreamNotFoundError';
}
