/**
 * Benchmark harness. Every figure is printed beside a baseline measured in the same run (raw
 * LevelDB, raw worker round trips, ...) as a ratio, and each figure is the median of several
 * runs because the machines are shared and noisy.
 */
import { cpus, totalmem } from 'node:os';

export interface Figure {
  /** What was measured, e.g. 'putObject 1 KiB'. */
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, e.g. 'classic-level put 1 KiB'. */
  baselineName: string;
  baselineValue: number;
  /** True when a larger value is better (rates); false for latencies and sizes. */
  higherIsBetter: boolean;
  /** Target ratio from the issue, e.g. 0.5 means value >= 0.5x baseline. */
  target?: number;
}

export interface Benchmark {
  name: string;
  run(): Promise<Figure[]>;
}

/** Median of values measured elsewhere (the mean of the two middle ones for an even count). */
export function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Fair comparison of contenders (e.g. lambdalite and its baseline): each first runs `warmups`
 * untimed repetitions, then `runs` repetitions alternate between them (so drifting load on a
 * shared machine hits all alike), the order reversed every other repetition (A B, B A, ...: no
 * side always runs first, or always right after the other's garbage is made). Returns every
 * contender's samples and their median. Each
 * contender must do the same work and submission pattern in its warm-up as in its measured runs:
 * a side warmed by a handful of tasks is measured while its JIT still compiles.
 */
export async function interleaved<K extends string>(
  runs: number,
  contenders: Record<K, () => Promise<number>>,
  warmups = 1,
): Promise<Record<K, { median: number; samples: number[] }>> {
  const names = Object.keys(contenders) as K[];
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let i = 0; i < warmups + runs; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      const value = await contenders[name]();
      if (i >= warmups) samples.get(name)!.push(value);
    }
  }
  const out = {} as Record<K, { median: number; samples: number[] }>;
  for (const name of names) {
    const list = samples.get(name)!;
    out[name] = { median: middle(list), samples: list };
  }
  return out;
}

/** Operations per second of `count` operations performed by `fn`. */
export async function rate(count: number, fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

export function ratio(figure: Figure): number {
  return figure.higherIsBetter ? figure.value / figure.baselineValue : figure.baselineValue / figure.value;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** Markdown table of figures with their baselines, ratios and targets. */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const r = ratio(f);
    const target = f.target === undefined ? '' : `${f.higherIsBetter ? '>=' : '<='} ${f.target}x`;
    const rel = f.higherIsBetter ? `${r.toFixed(2)}x` : `${(f.value / f.baselineValue).toFixed(2)}x`;
    const ok =
      f.target === undefined
        ? ''
        : (f.higherIsBetter ? r >= f.target : f.value / f.baselineValue <= f.target)
          ? 'met'
          : 'MISSED';
    return `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baselineName} | ${fmt(f.baselineValue)} ${f.unit} | ${rel} | ${target} | ${ok} |`;
  });
  return [
    '| figure | value | baseline | baseline value | ratio | target | |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}
