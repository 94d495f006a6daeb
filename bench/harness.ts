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

/** Median of `runs` results of `fn` (which returns one figure, e.g. ops per second). */
export async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  values.sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
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
