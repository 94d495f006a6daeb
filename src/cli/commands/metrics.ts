/**
 * `lambdalite metrics FUNCTION [--stat p99] [--period 60] [--since 1h]`: one row per period with
 * invocations, errors, error rate, throttles, concurrency and duration at the chosen statistics.
 */
import { Command } from 'commander';
import type { FunctionMetricsRow } from '../../server/console/api/metrics.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { intOption, parseDuration } from '../options.js';
import { type Column, show } from '../output.js';

interface MetricsFlags extends ConnectionFlags {
  stat: string;
  period: number;
  since: number;
}

const round = (v: number | undefined): string | undefined => (v === undefined ? undefined : v.toFixed(1));

export function metricsCommand(): Command {
  return withConnection(
    new Command('metrics')
      .description("a function's CloudWatch-style metrics, one row per period")
      .argument('<function>', 'function name')
      .option(
        '--stat <stats>',
        'duration statistics, comma-separated (p50, p99, Average, Maximum)',
        'p50,p99',
      )
      .option('--period <seconds>', 'period length, a multiple of 60', intOption('--period', 60, 86_400), 60)
      .option('--since <duration>', 'how far back (10m, 1h, 1d)', parseDuration, 3_600_000),
  ).action(async (name: string, flags: MetricsFlags) => {
    const result = await clientFor(flags).get<{ stats: string[]; rows: FunctionMetricsRow[] }>(
      `/metrics/functions/${encodeURIComponent(name)}`,
      { stat: flags.stat, period: flags.period, window: Math.max(60, Math.round(flags.since / 1000)) },
    );
    const columns: Column<FunctionMetricsRow>[] = [
      { header: 'PERIOD START', value: (r) => new Date(r.timestamp).toISOString() },
      { header: 'INVOCATIONS', value: (r) => r.invocations },
      { header: 'ERRORS', value: (r) => r.errors },
      { header: 'ERROR %', value: (r) => round(r.errorRate) },
      { header: 'THROTTLES', value: (r) => r.throttles },
      { header: 'CONCURRENCY', value: (r) => r.concurrency },
      ...result.stats.map((s) => ({
        header: `DURATION ${s}`,
        value: (r: FunctionMetricsRow) => round(r.duration[s]),
      })),
    ];
    show(result.rows, columns, flags.json);
  });
}
