/**
 * Per-function and per-mapping graphs' data from `engine.metrics.getStatistics`: one row per
 * period with invocations, errors, error rate and availability, duration percentiles, throttles
 * and concurrency; IteratorAge for a mapping.
 */
import type { Context, Hono } from 'hono';
import type { Engine } from '../../../engine.js';
import { LambdaliteError } from '../../../errors.js';
import type { MetricDimension, MetricStatisticsDatapoint } from '../../../observe/metrics/types.js';
import { intParam } from './http.js';

const MINUTE_MS = 60_000;
const PERCENTILE = /^p(\d{1,2}(\.\d+)?|100)$/;

export interface FunctionMetricsRow {
  timestamp: number;
  invocations: number;
  errors: number;
  /** Percent of invocations that failed; undefined for a period without invocations. */
  errorRate?: number;
  availability?: number;
  throttles: number;
  concurrency?: number;
  /** Duration at the requested statistic (default p50 and p99). */
  duration: Record<string, number>;
}

interface Window {
  startTime: number;
  endTime: number;
  periodMs: number;
}

function windowOf(c: Context): Window {
  const periodSec = intParam(c, 'period', 60, 60, 86_400);
  if (periodSec % 60 !== 0)
    throw new LambdaliteError('InvalidArgument', `period must be a multiple of 60, got ${periodSec}`);
  const windowMs = intParam(c, 'window', 3600, 60, 14 * 86_400) * 1000;
  const endTime = Math.ceil((Date.now() + 1) / MINUTE_MS) * MINUTE_MS;
  return { startTime: Math.max(0, endTime - windowMs), endTime, periodMs: periodSec * 1000 };
}

function statsOf(c: Context): string[] {
  const raw = c.req.query('stat');
  const stats = raw === undefined || raw === '' ? ['p50', 'p99'] : raw.split(',');
  for (const s of stats) {
    if (!PERCENTILE.test(s) && !['Average', 'Minimum', 'Maximum'].includes(s)) {
      throw new LambdaliteError(
        'InvalidArgument',
        `stat must be a percentile (p99) or Average, Minimum, Maximum; got ${s}`,
      );
    }
  }
  return stats;
}

function byTime(points: MetricStatisticsDatapoint[]): Map<number, MetricStatisticsDatapoint> {
  return new Map(points.map((p) => [p.timestamp, p]));
}

export function metricRoutes(app: Hono, engine: Engine): void {
  const query = async (metricName: string, dimensions: MetricDimension[], w: Window, extended?: string[]) =>
    (
      await engine.metrics.getStatistics({
        metricName,
        dimensions,
        ...w,
        statistics: ['Sum', 'Maximum', 'Average', 'Minimum', 'SampleCount'],
        ...(extended === undefined ? {} : { extendedStatistics: extended }),
      })
    ).datapoints;

  app.get('/metrics/functions/:name', async (c) => {
    const name = c.req.param('name');
    await engine.functions.get(name);
    const w = windowOf(c);
    const stats = statsOf(c);
    const percentiles = stats.filter((s) => s.startsWith('p'));
    const dims = [{ name: 'FunctionName', value: name }];
    const [invocations, errors, throttles, concurrency, duration] = await Promise.all([
      query('Invocations', dims, w),
      query('Errors', dims, w),
      query('Throttles', dims, w),
      query('ConcurrentExecutions', dims, w),
      query('Duration', dims, w, percentiles.length > 0 ? percentiles : undefined),
    ]);
    const maps = [invocations, errors, throttles, concurrency, duration].map(byTime);
    const [inv, err, thr, conc, dur] = maps as [
      Map<number, MetricStatisticsDatapoint>,
      Map<number, MetricStatisticsDatapoint>,
      Map<number, MetricStatisticsDatapoint>,
      Map<number, MetricStatisticsDatapoint>,
      Map<number, MetricStatisticsDatapoint>,
    ];
    const times = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const rows = times.map((timestamp): FunctionMetricsRow => {
      const n = inv.get(timestamp)?.sum ?? 0;
      const e = err.get(timestamp)?.sum ?? 0;
      const d = dur.get(timestamp);
      const duration: Record<string, number> = Object.create(null);
      for (const s of stats) {
        const v =
          s === 'Average'
            ? d?.average
            : s === 'Minimum'
              ? d?.minimum
              : s === 'Maximum'
                ? d?.maximum
                : d?.extendedStatistics?.[s];
        if (v !== undefined) duration[s] = v;
      }
      const row: FunctionMetricsRow = {
        timestamp,
        invocations: n,
        errors: e,
        throttles: thr.get(timestamp)?.sum ?? 0,
        duration,
      };
      const c = conc.get(timestamp)?.maximum;
      if (c !== undefined) row.concurrency = c;
      if (n > 0) {
        row.errorRate = (100 * e) / n;
        row.availability = 100 - row.errorRate;
      }
      return row;
    });
    return c.json({
      functionName: name,
      periodSec: w.periodMs / 1000,
      startTime: w.startTime,
      endTime: w.endTime,
      stats,
      rows,
    });
  });

  app.get('/metrics/mappings/:uuid', async (c) => {
    const mapping = await engine.mappings.get(c.req.param('uuid'));
    const functionName = mapping.functionArn.slice(mapping.functionArn.lastIndexOf(':') + 1);
    const w = windowOf(c);
    const points = await query(
      'IteratorAge',
      [
        { name: 'EventSourceMappingUUID', value: mapping.uuid },
        { name: 'FunctionName', value: functionName },
      ],
      w,
    );
    return c.json({
      uuid: mapping.uuid,
      periodSec: w.periodMs / 1000,
      startTime: w.startTime,
      endTime: w.endTime,
      rows: points.map((p) => ({ timestamp: p.timestamp, maximum: p.maximum ?? 0, average: p.average ?? 0 })),
    });
  });
}
