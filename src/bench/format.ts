/** The results table (and the comparison table) of `lambdalite bench`, drawn with cli-table3. */
import Table from 'cli-table3';
import type { Comparison } from './compare.js';
import type { BenchFigures, BenchResult } from './types.js';

function num(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

const ms = (n: number) => `${num(n)} ms`;

const ROWS: ReadonlyArray<[string, (f: BenchFigures) => string]> = [
  ['records', (f) => num(f.records)],
  ['time', (f) => `${num(f.durationMs / 1000)} s`],
  ['throughput', (f) => `${num(f.throughput)} /s`],
  ['latency p50', (f) => ms(f.latencyMs.p50)],
  ['latency p90', (f) => ms(f.latencyMs.p90)],
  ['latency p99', (f) => ms(f.latencyMs.p99)],
  ['latency max', (f) => ms(f.latencyMs.max)],
  [
    'iterator age max / p99',
    (f) => (f.iteratorAgeMs ? `${ms(f.iteratorAgeMs.max)} / ${ms(f.iteratorAgeMs.p99)}` : '-'),
  ],
  ['invocations', (f) => (f.invocations === undefined ? '-' : f.invocations.toLocaleString('en-US'))],
  [
    'function duration p50 / p99',
    (f) => (f.functionDurationMs ? `${ms(f.functionDurationMs.p50)} / ${ms(f.functionDurationMs.p99)}` : '-'),
  ],
  ['cold starts', (f) => String(f.coldStarts)],
  ['errors / retries', (f) => `${f.errors} / ${f.retries}`],
  ['throttles / refused', (f) => (f.throttles === undefined ? '-' : `${f.throttles} / ${f.refused ?? 0}`)],
  ['peak heap', (f) => `${num(f.peakHeapMb)} MB`],
  ['peak RSS', (f) => `${num(f.peakRssMb)} MB`],
];

/** The run beside its baseline, with lambdalite's throughput as a fraction of the baseline's. */
export function formatResult(result: BenchResult): string {
  const { run, baseline } = result;
  const head = ['', 'lambdalite', ...(baseline ? ['raw baseline'] : [])];
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const [label, show] of ROWS) table.push([label, show(run), ...(baseline ? [show(baseline)] : [])]);
  const lines = [`${run.name}`];
  if (baseline) lines.push(`baseline: ${baseline.name}`);
  lines.push(table.toString());
  if (baseline && baseline.throughput > 0)
    lines.push(`throughput: ${(run.throughput / baseline.throughput).toFixed(2)}x the raw baseline`);
  return lines.join('\n');
}

export function formatComparison(comparison: Comparison): string {
  const table = new Table({
    head: ['figure', 'saved', 'now', 'change', ''],
    style: { head: [], border: [], compact: true },
  });
  for (const f of comparison.figures) {
    const change = `${Math.abs(f.betterPct).toFixed(1)}% ${f.betterPct >= 0 ? 'better' : 'worse'}`;
    table.push([f.figure, num(f.saved), num(f.current), change, f.regressed ? 'REGRESSION' : '']);
  }
  const verdict = comparison.regressed
    ? `regression: worse by more than ${comparison.thresholdPct}%`
    : `no regression beyond ${comparison.thresholdPct}%`;
  return `${table.toString()}\n${verdict}`;
}
