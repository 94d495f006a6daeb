/**
 * Mergeable histograms for percentiles (hdr-histogram-js). Values are kept in thousandths, with
 * two significant digits (about 1% relative error, like a latency tool's usual setting): small
 * enough (a few KB) to keep one per series and open minute, fast to record, and they merge
 * exactly, so a percentile over an hour is computed from sixty one-minute histograms instead of
 * stored samples.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/** Values are recorded as `round(value * SCALE)`. */
export const SCALE = 1000;
/** Largest value a histogram represents; beyond it a series gives no percentiles. */
export const MAX_HISTOGRAM_VALUE = 2 ** 43 / SCALE;

export type { Histogram };

export function newHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 2 });
}

export function recordScaled(histogram: Histogram, value: number, count: number): void {
  histogram.recordValueWithCount(Math.round(value * SCALE), count);
}

export function valueAtPercentile(histogram: Histogram, percentile: number): number {
  return histogram.getValueAtPercentile(percentile) / SCALE;
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(text: string): Histogram {
  const histogram = decodeFromCompressedBase64(text, 32);
  // Decoded histograms are fixed-size; merging a wider one into it must grow it instead.
  histogram.autoResize = true;
  return histogram;
}
