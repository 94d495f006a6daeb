/**
 * The persisted one-minute rollup. Two sublevels:
 *
 * ```
 * metrics-rollup  <series id> NUL <minute start, 16 digits> NUL <flush id> -> StoredAggregate
 * metrics-series  <series id>                                             -> SeriesRecord
 * ```
 *
 * A flush never reads: each batch adds one record per series and minute under its own flush id,
 * and readers merge the records of a minute (late values for a minute already flushed, or a
 * minute flushed on close and again after reopening, simply add a record). Series ids are hashes,
 * so user text (names, dimension values) never appears in a key.
 */
import { childRange, encodeUint, joinKey } from '../../../storage/keys.js';
import { type BatchOp, delOp, putOp, type Storage, type Sub } from '../../../storage/storage.js';
import type { StoredAggregate } from '../stats/aggregate.js';
import type { MetricDimension, MetricIdentity } from '../types.js';

/** What the index keeps per series: its identity and the minutes it holds. */
export interface SeriesRecord extends MetricIdentity {
  readonly id: string;
  /** First and last minute start with a stored aggregate. */
  first: number;
  last: number;
}

interface StoredSeriesRecord {
  namespace: string;
  metricName: string;
  dimensions: MetricDimension[];
  first: number;
  last: number;
}

/** One stored aggregate as read back. */
export interface StoredMinute {
  readonly minute: number;
  readonly flushId: string;
  readonly aggregate: StoredAggregate;
}

export class RollupStore {
  readonly #rollup: Sub<StoredAggregate>;
  readonly #series: Sub<StoredSeriesRecord>;
  /** The series index, loaded at open and kept current by the flusher and the sweeper. */
  readonly #index = new Map<string, SeriesRecord>();

  private constructor(private readonly storage: Storage) {
    this.#rollup = storage.sublevel<StoredAggregate>('metrics-rollup');
    this.#series = storage.sublevel<StoredSeriesRecord>('metrics-series');
  }

  static async open(storage: Storage): Promise<RollupStore> {
    const store = new RollupStore(storage);
    for await (const [id, record] of store.#series.iterator()) {
      store.#index.set(id, { id, ...record, dimensions: Object.freeze(record.dimensions) });
    }
    return store;
  }

  /** Every series with stored minutes. */
  series(): IterableIterator<SeriesRecord> {
    return this.#index.values();
  }

  /** The put of one aggregate. */
  aggregateOp(seriesId: string, minute: number, flushId: string, aggregate: StoredAggregate): BatchOp {
    return putOp(this.#rollup, joinKey(seriesId, encodeUint(minute), flushId), aggregate);
  }

  /**
   * The index update for a series that now also holds minutes `first`..`last`, or undefined
   * when its record already covers them. The in-memory index changes at once: a reader looking
   * at it before the batch is durable finds no record of those minutes yet, which is harmless.
   */
  indexOp(identity: MetricIdentity & { id: string }, first: number, last: number): BatchOp | undefined {
    const current = this.#index.get(identity.id);
    if (current !== undefined && current.first <= first && current.last >= last) return undefined;
    const record: SeriesRecord = {
      id: identity.id,
      namespace: identity.namespace,
      metricName: identity.metricName,
      dimensions: identity.dimensions,
      first: Math.min(first, current?.first ?? first),
      last: Math.max(last, current?.last ?? last),
    };
    this.#index.set(identity.id, record);
    return putOp(this.#series, identity.id, stored(record));
  }

  /** Stored aggregates of a series with minute starts in [from, to). */
  async read(seriesId: string, from: number, to: number): Promise<StoredMinute[]> {
    const out: StoredMinute[] = [];
    if (to <= from) return out;
    const prefix = seriesId.length + 1;
    for await (const [key, aggregate] of this.#rollup.iterator({
      gte: joinKey(seriesId, encodeUint(from)),
      lt: joinKey(seriesId, encodeUint(to)),
    })) {
      const minute = Number(key.slice(prefix, prefix + 16));
      out.push({ minute, flushId: key.slice(prefix + 17), aggregate });
    }
    return out;
  }

  /**
   * Deletes every aggregate of a minute before `cutoff`, one range delete per series that has
   * any, and the index records of series left empty. Returns the earliest minute still stored.
   */
  async deleteBefore(cutoff: number): Promise<number | undefined> {
    const ops: BatchOp[] = [];
    let earliest: number | undefined;
    for (const record of [...this.#index.values()]) {
      if (record.first < cutoff) {
        const range = childRange(record.id);
        await this.#rollup.clear({ gte: range.gte, lt: joinKey(record.id, encodeUint(cutoff)) });
        if (record.last < cutoff) {
          this.#index.delete(record.id);
          ops.push(delOp(this.#series, record.id));
          continue;
        }
        record.first = cutoff;
        ops.push(putOp(this.#series, record.id, stored(record)));
      }
      if (earliest === undefined || record.first < earliest) earliest = record.first;
    }
    await this.storage.batch(ops);
    return earliest;
  }

  /** The earliest minute stored in any series. */
  earliest(): number | undefined {
    let earliest: number | undefined;
    for (const record of this.#index.values()) {
      if (earliest === undefined || record.first < earliest) earliest = record.first;
    }
    return earliest;
  }
}

function stored(record: SeriesRecord): StoredSeriesRecord {
  return {
    namespace: record.namespace,
    metricName: record.metricName,
    dimensions: record.dimensions.map((d) => ({ name: d.name, value: d.value })),
    first: record.first,
    last: record.last,
  };
}
