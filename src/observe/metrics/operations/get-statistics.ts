/**
 * GetMetricStatistics: the statistics of one metric per period, from the persisted one-minute
 * rollup merged with the minutes still in memory. Periods start at `startTime` (rounded down to
 * the minute) and are multiples of a minute; a period without data has no datapoint.
 */
import { LambdaliteError } from '../../../errors.js';
import { MinuteFlusher } from '../rollup/flusher.js';
import type { RetentionSweeper } from '../rollup/retention.js';
import type { RollupStore } from '../rollup/store.js';
import {
  canonicalDimensions,
  LAMBDA_NAMESPACE,
  MINUTE_MS,
  minuteOf,
  seriesId,
  seriesKey,
} from '../series/identity.js';
import type { SeriesRegistry } from '../series/registry.js';
import { Aggregate } from '../stats/aggregate.js';
import { BASIC_STATISTICS, basicValue, parsePercentile } from '../stats/statistic.js';
import type {
  BasicStatistic,
  GetMetricStatisticsInput,
  GetMetricStatisticsResult,
  MetricStatisticsDatapoint,
} from '../types.js';
import { checkDimensions, checkName, checkObject, checkTime, invalid } from './validate.js';

/** CloudWatch answers at most this many datapoints per call. */
export const MAX_DATAPOINTS = 1440;
const MAX_EXTENDED = 10;

export interface StatisticsDeps {
  registry: SeriesRegistry;
  store: RollupStore;
  flusher: MinuteFlusher;
  retention: RetentionSweeper;
}

interface Query {
  namespace: string;
  metricName: string;
  dimensions: ReturnType<typeof canonicalDimensions>;
  start: number;
  end: number;
  periodMs: number;
  statistics: readonly BasicStatistic[];
  percentiles: ReadonlyArray<[string, number]>;
}

function parse(input: GetMetricStatisticsInput): Query {
  checkObject(input, 'input');
  const metricName = checkName(input.metricName, 'metricName') as string;
  const namespace = checkName(input.namespace ?? LAMBDA_NAMESPACE, 'namespace') as string;
  const dimensions = canonicalDimensions(checkDimensions(input.dimensions, 'dimensions'));
  const start = minuteOf(checkTime(input.startTime, 'startTime'));
  const end = checkTime(input.endTime, 'endTime');
  if (end <= start) throw invalid(`endTime (${end}) must be after startTime (${start})`);
  const periodMs = input.periodMs;
  if (
    typeof periodMs !== 'number' ||
    !Number.isInteger(periodMs) ||
    periodMs < MINUTE_MS ||
    periodMs % MINUTE_MS !== 0
  ) {
    throw invalid(`periodMs must be a multiple of 60000, got ${JSON.stringify(periodMs)}`);
  }
  const periods = Math.ceil((end - start) / periodMs);
  if (periods > MAX_DATAPOINTS) {
    throw new LambdaliteError(
      'InvalidParameterCombination',
      `You have requested up to ${periods} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}: use a longer periodMs or a shorter time range`,
    );
  }
  const statistics = input.statistics ?? (input.extendedStatistics === undefined ? BASIC_STATISTICS : []);
  if (!Array.isArray(statistics))
    throw invalid(`statistics must be an array, got ${JSON.stringify(statistics)}`);
  for (const s of statistics) {
    if (!BASIC_STATISTICS.includes(s as BasicStatistic)) {
      throw invalid(`statistics must hold ${BASIC_STATISTICS.join(', ')}, got ${JSON.stringify(s)}`);
    }
  }
  const extended = input.extendedStatistics ?? [];
  if (!Array.isArray(extended) || extended.length > MAX_EXTENDED) {
    throw invalid(
      `extendedStatistics must be an array of at most ${MAX_EXTENDED} percentiles, got ${JSON.stringify(extended)}`,
    );
  }
  const percentiles = extended.map((text): [string, number] => {
    const p = typeof text === 'string' ? parsePercentile(text) : undefined;
    if (p === undefined)
      throw invalid(
        `extendedStatistics must hold percentiles p0..p100 such as p99 or p99.9, got ${JSON.stringify(text)}`,
      );
    return [text, p];
  });
  if (statistics.length === 0 && percentiles.length === 0) {
    throw new LambdaliteError(
      'MissingParameter',
      'statistics or extendedStatistics must name at least one statistic',
    );
  }
  return { namespace, metricName, dimensions, start, end, periodMs, statistics, percentiles };
}

export async function getStatistics(
  deps: StatisticsDeps,
  input: GetMetricStatisticsInput,
): Promise<GetMetricStatisticsResult> {
  const q = parse(input);
  const from = Math.max(q.start, deps.retention.cutoff());
  const buckets = new Map<number, Aggregate>();
  const add = (minute: number, aggregate: Aggregate): void => {
    if (minute < from || minute >= q.end) return;
    const start = q.start + Math.floor((minute - q.start) / q.periodMs) * q.periodMs;
    let bucket = buckets.get(start);
    if (bucket === undefined) {
      bucket = new Aggregate();
      buckets.set(start, bucket);
    }
    bucket.merge(aggregate);
  };
  // Memory first, in one synchronous step, with the cut that tells which stored records hold
  // the same minutes (a flush may complete while storage is read).
  const series = deps.registry.peek(q.namespace, q.metricName, q.dimensions);
  const cut = deps.flusher.cut();
  if (series) {
    for (const f of series.flushing) add(f.minute, f.aggregate);
    for (const [minute, aggregate] of series.open) add(minute, aggregate);
  }
  const id = series?.id ?? seriesId(seriesKey(q.namespace, q.metricName, q.dimensions));
  for (const stored of await deps.store.read(id, from, q.end)) {
    if (!MinuteFlusher.skips(cut, stored.flushId)) add(stored.minute, Aggregate.fromStored(stored.aggregate));
  }
  const datapoints = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([timestamp, aggregate]) => datapoint(q, timestamp, aggregate));
  return { label: q.metricName, datapoints };
}

function datapoint(q: Query, timestamp: number, aggregate: Aggregate): MetricStatisticsDatapoint {
  const point: MetricStatisticsDatapoint = { timestamp, unit: aggregate.unit };
  for (const name of q.statistics) {
    const value = basicValue(aggregate, name);
    if (name === 'SampleCount') point.sampleCount = value;
    else if (name === 'Average') point.average = value;
    else if (name === 'Sum') point.sum = value;
    else if (name === 'Minimum') point.minimum = value;
    else point.maximum = value;
  }
  if (q.percentiles.length > 0) {
    const extended: Record<string, number> = Object.create(null);
    let any = false;
    for (const [label, p] of q.percentiles) {
      const value = aggregate.percentile(p);
      if (value !== undefined) {
        extended[label] = value;
        any = true;
      }
    }
    if (any) point.extendedStatistics = extended;
  }
  return point;
}
