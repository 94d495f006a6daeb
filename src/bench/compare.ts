/**
 * `--compare`: a run against a saved one, figure by figure. A figure regresses when it is worse
 * by more than the threshold (percent). Ratios to the same-run baseline are compared too: they
 * hold across machines and load better than absolute rates.
 */
import { LambdaliteError } from '../errors.js';
import type { BenchFigures, BenchResult } from './types.js';

export interface ComparedFigure {
  figure: string;
  saved: number;
  current: number;
  /** Change in percent, signed so that positive is better. */
  betterPct: number;
  regressed: boolean;
}

export interface Comparison {
  thresholdPct: number;
  figures: ComparedFigure[];
  regressed: boolean;
}

interface Checked {
  figure: string;
  read: (r: BenchResult) => number | undefined;
  higherIsBetter: boolean;
}

const ratio = (r: BenchResult): number | undefined =>
  r.baseline && r.baseline.throughput > 0 ? r.run.throughput / r.baseline.throughput : undefined;
const run = (read: (f: BenchFigures) => number | undefined) => (r: BenchResult) => read(r.run);

const CHECKED: readonly Checked[] = [
  { figure: 'throughput (records/s)', read: run((f) => f.throughput), higherIsBetter: true },
  { figure: 'throughput / baseline', read: ratio, higherIsBetter: true },
  { figure: 'latency p50 (ms)', read: run((f) => f.latencyMs.p50), higherIsBetter: false },
  { figure: 'latency p90 (ms)', read: run((f) => f.latencyMs.p90), higherIsBetter: false },
  { figure: 'latency p99 (ms)', read: run((f) => f.latencyMs.p99), higherIsBetter: false },
  { figure: 'iterator age max (ms)', read: run((f) => f.iteratorAgeMs?.max), higherIsBetter: false },
  { figure: 'peak heap (MB)', read: run((f) => f.peakHeapMb), higherIsBetter: false },
  { figure: 'peak RSS (MB)', read: run((f) => f.peakRssMb), higherIsBetter: false },
];

/** Refuses anything that is not a saved `--json` result. */
export function parseSavedResult(text: string, file: string): BenchResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LambdaliteError('InvalidParameterValueException', `--compare ${file} is not JSON`, {
      cause: err,
    });
  }
  const format =
    typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
  if (format !== 'lambdalite-bench/1')
    throw new LambdaliteError(
      'InvalidParameterValueException',
      `--compare ${file} is not a saved lambdalite bench result (format lambdalite-bench/1), got format ${String(format)}`,
    );
  return value as BenchResult;
}

export function compareResults(current: BenchResult, saved: BenchResult, thresholdPct = 10): Comparison {
  const figures: ComparedFigure[] = [];
  for (const check of CHECKED) {
    const before = check.read(saved);
    const now = check.read(current);
    if (before === undefined || now === undefined || before === 0) continue;
    const changePct = ((now - before) / before) * 100;
    const betterPct = check.higherIsBetter ? changePct : -changePct;
    figures.push({
      figure: check.figure,
      saved: before,
      current: now,
      betterPct,
      regressed: betterPct < -thresholdPct,
    });
  }
  // A new error where the saved run had none is a regression whatever its size.
  if (current.run.errors > 0 && saved.run.errors === 0)
    figures.push({
      figure: 'errors',
      saved: 0,
      current: current.run.errors,
      betterPct: -100,
      regressed: true,
    });
  return { thresholdPct, figures, regressed: figures.some((f) => f.regressed) };
}
