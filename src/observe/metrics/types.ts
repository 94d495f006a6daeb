/**
 * The public shapes of `engine.metrics`, in CloudWatch's vocabulary (GetMetricStatistics,
 * ListMetrics, PutMetricData), with camelCase names like the rest of the engine's API.
 */
import type { MetricUnit } from './units.js';

export type { MetricUnit } from './units.js';

/** One dimension of a metric, e.g. `{ name: 'FunctionName', value: 'resize' }`. */
export interface MetricDimension {
  readonly name: string;
  readonly value: string;
}

/** One raw value as recorded, before any aggregation. */
export interface MetricDatum {
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name; empty for an engine-wide aggregate. */
  readonly dimensions: readonly MetricDimension[];
  readonly value: number;
  readonly unit: MetricUnit;
  /** Engine-clock milliseconds; for AWS/Lambda invocation metrics, the invocation's start. */
  readonly timestamp: number;
}

/** A metric's identity: namespace, name and its full set of dimensions. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly MetricDimension[];
}

export type BasicStatistic = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';

/** A basic statistic or a percentile such as `p99` or `p99.9` (p0 to p100). */
export type MetricStat = BasicStatistic | `p${number}`;

export interface WatchMetricInput {
  metricName: string;
  /** Default 'AWS/Lambda'. */
  namespace?: string;
  /** The metric's full dimension set; omitted or empty selects the dimensionless aggregate. */
  dimensions?: readonly MetricDimension[];
  stat: MetricStat;
  /** Length of a period in engine-clock milliseconds, 1 000 or more. Default 60 000. */
  periodMs?: number;
}

/** One closed period of a watched metric: its start and the statistic over it. */
export interface MetricWatchPoint {
  readonly timestamp: number;
  readonly value: number;
}

export interface GetMetricStatisticsInput {
  metricName: string;
  /** Default 'AWS/Lambda'. */
  namespace?: string;
  dimensions?: readonly MetricDimension[];
  /** Inclusive, rounded down to the minute. Milliseconds or a Date. */
  startTime: number | Date;
  /** Exclusive. Milliseconds or a Date. */
  endTime: number | Date;
  /** A multiple of 60 000. */
  periodMs: number;
  /** Default: all five when neither this nor `extendedStatistics` is given. */
  statistics?: readonly BasicStatistic[];
  /** Percentiles such as 'p99' or 'p99.9'. */
  extendedStatistics?: readonly string[];
}

export interface MetricStatisticsDatapoint {
  /** Start of the period. */
  timestamp: number;
  sampleCount?: number;
  average?: number;
  sum?: number;
  minimum?: number;
  maximum?: number;
  /** Keyed by the percentile as asked (`p99`); absent when percentiles cannot be computed. */
  extendedStatistics?: Record<string, number>;
  unit: MetricUnit;
}

export interface GetMetricStatisticsResult {
  label: string;
  /** Periods that hold data, oldest first. */
  datapoints: MetricStatisticsDatapoint[];
}

/** A dimension filter of `list`: the metric must have the dimension (with this value if given). */
export interface DimensionFilter {
  readonly name: string;
  readonly value?: string;
}

export interface ListMetricsInput {
  namespace?: string;
  metricName?: string;
  dimensions?: readonly DimensionFilter[];
}

export interface ListMetricsResult {
  metrics: MetricIdentity[];
}

/** A pre-aggregated set of values (PutMetricData's StatisticValues). */
export interface StatisticSet {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

/** One entry of `putMetricData`: exactly one of `value`, `values` or `statisticValues`. */
export interface MetricDataInput {
  metricName: string;
  dimensions?: readonly MetricDimension[];
  value?: number;
  /** Up to 150 values; `counts[i]` says how often `values[i]` occurred (default 1). */
  values?: readonly number[];
  counts?: readonly number[];
  statisticValues?: StatisticSet;
  /** Default 'None'. */
  unit?: MetricUnit;
  /** Default now. Between two weeks in the past and two hours ahead. */
  timestamp?: number | Date;
  /** 1 (high resolution) or 60; accepted, the rollup is per minute either way. */
  storageResolution?: number;
}
