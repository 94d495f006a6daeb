/**
 * An in-memory shard log implementing ShardSource, for tests of the pull dispatcher without the
 * real streams: shards with parents, split / merge closing a parent, expiry by the clock
 * (retention), deletion, and a changes$ Subject. Data lives in a {@link ShardLogData} that can
 * outlive one engine, so a test can "restart" over the same records with {@link FakeShardLog.reopen}.
 */
import { filter, map, type Observable, Subject } from 'rxjs';
import type {
  ShardSource,
  SourceKind,
  SourceRecord,
  SourceShard,
  StartPosition,
} from '../../src/dispatch/pull/shard-source.js';
import type { Clock } from '../../src/index.js';

interface FakeShard extends SourceShard {
  records: SourceRecord[];
  next: bigint;
}

export interface ShardLogData {
  shards: FakeShard[];
  nextShard: number;
  deleted: boolean;
}

export interface FakeShardLogOptions {
  kind?: SourceKind;
  arn?: string;
  shardCount?: number;
  retentionMs?: number;
}

export class FakeShardLog implements ShardSource {
  readonly kind: SourceKind;
  readonly arn: string;
  readonly data: ShardLogData;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #changes = new Subject<string | undefined>();

  constructor(clock: Clock, options: FakeShardLogOptions = {}, data?: ShardLogData) {
    this.kind = options.kind ?? 'kinesis';
    this.arn =
      options.arn ??
      (this.kind === 'kinesis'
        ? 'arn:aws:kinesis:us-east-1:000000000000:stream/test'
        : 'arn:aws:dynamodb:us-east-1:000000000000:table/test/stream/2026-01-01T00:00:00.000');
    this.#clock = clock;
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.data = data ?? { shards: [], nextShard: 0, deleted: false };
    if (!data) for (let i = 0; i < (options.shardCount ?? 1); i++) this.#newShard([]);
  }

  /** A new source object over the same records (as after an engine restart). */
  reopen(clock: Clock = this.#clock): FakeShardLog {
    return new FakeShardLog(
      clock,
      { kind: this.kind, arn: this.arn, retentionMs: this.#retentionMs },
      this.data,
    );
  }

  shardIds(): string[] {
    return this.data.shards.map((s) => s.shardId);
  }

  /** Appends to `shardId` (default: the open shard chosen by the key's hash). */
  put(input: {
    partitionKey: string;
    data?: string | Buffer;
    shardId?: string;
    change?: Record<string, unknown>;
  }): SourceRecord {
    const open = this.data.shards.filter((s) => !s.closed);
    const shard =
      input.shardId !== undefined
        ? this.#shard(input.shardId)
        : open[[...input.partitionKey].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % open.length];
    if (!shard || shard.closed) throw new Error(`shard ${input.shardId} is closed or unknown`);
    shard.next += 1000n + BigInt(shard.records.length % 7);
    const record: SourceRecord = {
      sequenceNumber: shard.next.toString(),
      arrivalMs: this.#clock.now(),
      partitionKey: this.kind === 'kinesis' ? input.partitionKey : undefined,
      data: this.kind === 'kinesis' ? Buffer.from(input.data ?? '') : undefined,
      change: input.change,
    };
    shard.records.push(record);
    this.#changes.next(shard.shardId);
    return record;
  }

  /** Closes `shardId` and opens two children. */
  split(shardId: string): [string, string] {
    const parent = this.#shard(shardId);
    if (!parent) throw new Error(`no shard ${shardId}`);
    parent.closed = true;
    const a = this.#newShard([shardId]);
    const b = this.#newShard([shardId]);
    this.#changes.next(undefined);
    return [a, b];
  }

  /** Closes two shards and opens one child with both as parents. */
  merge(first: string, second: string): string {
    for (const id of [first, second]) {
      const shard = this.#shard(id);
      if (shard) shard.closed = true;
    }
    const child = this.#newShard([first, second]);
    this.#changes.next(undefined);
    return child;
  }

  /** Deletes the source: exists() turns false and changes$ fires. */
  delete(): void {
    this.data.deleted = true;
    this.#changes.next(undefined);
  }

  async listShards(): Promise<SourceShard[]> {
    return this.data.shards
      .filter((s) => !s.closed || this.#alive(s).length > 0 || s.records.length === 0)
      .map(({ shardId, parentShardIds, closed }) => ({ shardId, parentShardIds, closed }));
  }

  async read(shardId: string, afterSequence: string | undefined, limit: number): Promise<SourceRecord[]> {
    const shard = this.#shard(shardId);
    if (!shard) return [];
    const records = shard.records;
    let from = this.#firstAlive(shard);
    if (afterSequence !== undefined) {
      // Records are in sequence order: binary search for the first one after `afterSequence`.
      const after = BigInt(afterSequence);
      let lo = from;
      let hi = records.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (BigInt(records[mid]?.sequenceNumber ?? '0') > after) hi = mid;
        else lo = mid + 1;
      }
      from = lo;
    }
    return records.slice(from, from + limit);
  }

  async resolveStart(shardId: string, position: StartPosition): Promise<string | undefined> {
    const shard = this.#shard(shardId);
    if (!shard || position.type === 'TRIM_HORIZON') return undefined;
    const alive = this.#alive(shard);
    const before =
      position.type === 'LATEST' ? alive : alive.filter((r) => r.arrivalMs < position.timestampMs);
    return before[before.length - 1]?.sequenceNumber;
  }

  async isDrained(shardId: string, afterSequence: string | undefined): Promise<boolean> {
    const shard = this.#shard(shardId);
    if (!shard) return true;
    return shard.closed && (await this.read(shardId, afterSequence, 1)).length === 0;
  }

  changes$(shardId?: string): Observable<void> {
    return this.#changes.pipe(
      filter((id) => shardId === undefined || id === undefined || id === shardId),
      map(() => undefined),
    );
  }

  async exists(): Promise<boolean> {
    return !this.data.deleted;
  }

  /** Wakes every poller, as a write or a retention sweep would. */
  touch(): void {
    this.#changes.next(undefined);
  }

  #alive(shard: FakeShard): SourceRecord[] {
    return shard.records.slice(this.#firstAlive(shard));
  }

  /** Index of the first record within retention (arrival times never decrease in a shard). */
  #firstAlive(shard: FakeShard): number {
    const cutoff = this.#clock.now() - this.#retentionMs;
    let lo = 0;
    let hi = shard.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((shard.records[mid]?.arrivalMs ?? 0) >= cutoff) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #shard(shardId: string): FakeShard | undefined {
    return this.data.shards.find((s) => s.shardId === shardId);
  }

  #newShard(parentShardIds: string[]): string {
    const n = this.data.nextShard++;
    const shardId = `shardId-${n.toString().padStart(12, '0')}`;
    // Sequence numbers: 21+ digits, increasing with gaps, different bases per shard.
    this.data.shards.push({
      shardId,
      parentShardIds,
      closed: false,
      records: [],
      next: BigInt(`4959${n}`) * 10n ** 18n,
    });
    return shardId;
  }
}
