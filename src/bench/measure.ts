/**
 * What a bench run measures besides the engine's events: latencies (an HDR histogram, so a run
 * of 10^6 records costs the same memory as one of 10), peak heap and RSS, and the completion
 * rate shown by the progress bar.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencyFigures } from './types.js';

/** Latencies in ms, kept at microsecond resolution (3 significant digits). */
export class Latencies {
  readonly #histogram: Histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  record(ms: number, count = 1): void {
    this.#histogram.recordValueWithCount(Math.max(1, Math.round(ms * 1000)), count);
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  figures(): LatencyFigures {
    const h = this.#histogram;
    if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
    // A percentile is its bucket's highest equivalent value, which can pass the exact maximum.
    const ms = (us: number) => Math.min(us, h.maxValue) / 1000;
    return {
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
    };
  }
}

/** Peak heapUsed and RSS of the process (worker threads' heaps show in RSS only). */
export class PeakMemory {
  #heap = 0;
  #rss = 0;

  sample(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.#heap) this.#heap = m.heapUsed;
    if (m.rss > this.#rss) this.#rss = m.rss;
  }

  reset(): void {
    this.#heap = 0;
    this.#rss = 0;
  }

  figures(): { peakHeapMb: number; peakRssMb: number } {
    this.sample();
    return { peakHeapMb: this.#heap / 2 ** 20, peakRssMb: this.#rss / 2 ** 20 };
  }
}

/** Completions per second over about the last second, from (time, count) samples. */
export class RecentRate {
  readonly #samples: Array<{ t: number; n: number }> = [];

  add(t: number, n: number): number {
    this.#samples.push({ t, n });
    while (this.#samples.length > 2 && t - this.#samples[1]!.t >= 1000) this.#samples.shift();
    const first = this.#samples[0]!;
    return t > first.t ? ((n - first.n) * 1000) / (t - first.t) : 0;
  }
}

/**
 * Runs `send(index, count)` until `records` were sent or `durationMs` passed, `inFlight` calls at
 * once, each sending up to `perCall` records. Resolves with the number sent.
 */
export async function drive(plan: {
  /** Index of the first record (after a warm-up, the run continues its numbering). */
  firstIndex?: number;
  records: number | undefined;
  durationMs: number | undefined;
  inFlight: number;
  perCall: number;
  send: (first: number, count: number) => Promise<void>;
  onSent: (count: number) => void;
}): Promise<number> {
  const deadline =
    plan.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + plan.durationMs;
  const base = plan.firstIndex ?? 0;
  const limit = base + (plan.records ?? Number.POSITIVE_INFINITY);
  let next = base;
  const lane = async (): Promise<void> => {
    while (next < limit && performance.now() < deadline) {
      const first = next;
      const count = Math.min(plan.perCall, limit - first);
      next += count;
      await plan.send(first, count);
      plan.onSent(count);
    }
  };
  await Promise.all(Array.from({ length: plan.inFlight }, lane));
  return next - base;
}
