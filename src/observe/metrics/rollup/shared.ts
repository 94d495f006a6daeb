/**
 * The one-minute rollup shared between engine processes (a clustered backend's feed): a flush
 * publishes the aggregates it stored (staged in the flush's own batch), under its own flush id; every other process writes them
 * into its own rollup store under the same keys (`<series>`, `<minute>`, `<flush id>`). The read
 * operations then merge every process's records of a minute like late records of one process,
 * and copying a payload twice (a restart between the batch and its position) writes the same
 * keys again: nothing is counted twice.
 */
import type { BatchOp, Storage } from '../../../storage/storage.js';
import { type FeedDelivery, MAX_FEED_PAYLOAD } from '../../shared-feed.js';
import { canonicalDimensions, seriesId, seriesKey } from '../series/identity.js';
import type { StoredAggregate } from '../stats/aggregate.js';
import type { MetricDimension, MetricIdentity } from '../types.js';
import type { RollupStore } from './store.js';

/** One series' minutes of a flush. */
export interface SharedSeries {
  readonly series: MetricIdentity;
  readonly minutes: ReadonlyArray<[number, StoredAggregate]>;
}

interface Payload {
  /** The flush id the aggregates are stored under (unique per process run and flush). */
  f: string;
  s: Array<{ n: string; m: string; d: MetricDimension[]; a: Array<[number, StoredAggregate]> }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One flush's aggregates as payloads the feed carries. */
export function flushPayloads(flushId: string, shared: readonly SharedSeries[]): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let entries: Payload['s'] = [];
  let size = 0;
  const send = (): void => {
    if (entries.length === 0) return;
    payloads.push(encoder.encode(JSON.stringify({ f: flushId, s: entries } satisfies Payload)));
    entries = [];
    size = 0;
  };
  for (const { series, minutes } of shared) {
    // One series' minutes go whole into a payload unless they alone exceed one (then a payload each).
    for (const part of chunks(series, minutes)) {
      const bytes = Buffer.byteLength(JSON.stringify(part)) + 1;
      if (size + bytes > MAX_FEED_PAYLOAD - 256) send();
      entries.push(part);
      size += bytes;
    }
  }
  send();
  return payloads;
}

function* chunks(
  series: MetricIdentity,
  minutes: ReadonlyArray<[number, StoredAggregate]>,
): Generator<Payload['s'][number]> {
  const base = { n: series.namespace, m: series.metricName, d: series.dimensions.map((d) => ({ ...d })) };
  const whole = { ...base, a: [...minutes] };
  if (Buffer.byteLength(JSON.stringify(whole)) < MAX_FEED_PAYLOAD / 2) {
    yield whole;
    return;
  }
  for (const minute of minutes) yield { ...base, a: [minute] };
}

/** Writes another process's aggregates (within the retention) and the feed position in one batch. */
export async function applyShared(
  storage: Storage,
  store: RollupStore,
  listener: { persisted(firstMinute: number): void },
  cutoff: number,
  delivery: FeedDelivery,
): Promise<void> {
  const ops: BatchOp[] = [];
  let first = Number.POSITIVE_INFINITY;
  const payload = parse(delivery.payload);
  for (const entry of payload?.s ?? []) {
    const dimensions = canonicalDimensions(entry.d);
    const id = seriesId(seriesKey(entry.n, entry.m, dimensions));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const [minute, aggregate] of entry.a) {
      if (minute < cutoff) continue;
      ops.push(store.aggregateOp(id, minute, (payload as Payload).f, aggregate));
      lo = Math.min(lo, minute);
      hi = Math.max(hi, minute);
    }
    if (lo > hi) continue;
    const indexOp = store.indexOp({ id, namespace: entry.n, metricName: entry.m, dimensions }, lo, hi);
    if (indexOp) ops.push(indexOp);
    first = Math.min(first, lo);
  }
  ops.push(delivery.positionOp);
  await storage.batch(ops);
  if (first !== Number.POSITIVE_INFINITY) listener.persisted(first);
}

/** The payload, or undefined when it is not one (then only the position moves past it). */
function parse(bytes: Uint8Array): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  const p = value as Payload;
  if (typeof p?.f !== 'string' || !/^[0-9a-f]+\d+$/.test(p.f) || !Array.isArray(p.s)) return undefined;
  const valid = p.s.every(
    (e) =>
      typeof e?.n === 'string' &&
      typeof e.m === 'string' &&
      Array.isArray(e.d) &&
      e.d.every((d) => typeof d?.name === 'string' && typeof d.value === 'string') &&
      Array.isArray(e.a) &&
      e.a.every(
        (pair) =>
          Array.isArray(pair) &&
          Number.isInteger(pair[0]) &&
          typeof pair[1]?.n === 'number' &&
          typeof pair[1].s === 'number' &&
          typeof pair[1].lo === 'number' &&
          typeof pair[1].hi === 'number' &&
          typeof pair[1].u === 'string' &&
          (pair[1].h === undefined || typeof pair[1].h === 'string'),
      ),
  );
  return valid ? p : undefined;
}
