import { describe, expect, it } from 'vitest';
import { Aggregate } from '../../../src/observe/metrics/stats/aggregate.js';

function of(values: number[]): Aggregate {
  const a = new Aggregate();
  for (const v of values) a.add(v, 'Milliseconds');
  return a;
}

describe('Aggregate', () => {
  it('merges minutes into the same statistics as one aggregate of all values, through storage too', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const whole = of(values);
    const merged = new Aggregate();
    for (let i = 0; i < 10; i++)
      merged.merge(Aggregate.fromStored(of(values.slice(i * 100, i * 100 + 100)).toStored()));
    expect([merged.count, merged.sum, merged.min, merged.max]).toEqual([
      whole.count,
      whole.sum,
      whole.min,
      whole.max,
    ]);
    for (const p of [50, 90, 99, 99.9]) {
      expect(merged.percentile(p)).toBe(whole.percentile(p));
      // Two significant digits: within 1% of the exact rank value.
      const exact = [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1] ?? 0;
      expect(Math.abs((merged.percentile(p) ?? 0) - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.001);
    }
  });

  it('gives the single value as every percentile of a uniform aggregate without a histogram', () => {
    const ones = of([1, 1, 1]);
    expect(ones.toStored().h).toBeUndefined();
    expect(ones.percentile(99)).toBe(1);
    const mixed = new Aggregate();
    mixed.merge(ones);
    mixed.merge(of([5]));
    expect(mixed.percentile(50)).toBeCloseTo(1, 2); // a histogram bucket's upper edge, within 1%
    expect(mixed.percentile(100)).toBe(5);
  });

  it('gives no percentiles once a negative value or a statistic set joined, like CloudWatch', () => {
    const negative = of([3, -1]);
    expect(negative.percentile(50)).toBeUndefined();
    expect(negative.min).toBe(-1);
    const set = of([1, 2]);
    set.addSet(10, 100, 0, 50, 'Milliseconds');
    expect(set.percentile(50)).toBeUndefined();
    expect([set.count, set.sum, set.min, set.max]).toEqual([12, 103, 0, 50]);
  });

  it('is reusable after reset', () => {
    const a = of([1, 2, 3]);
    a.reset();
    a.add(7, 'Count');
    a.add(7, 'Count');
    expect([a.count, a.sum, a.percentile(50)]).toEqual([2, 14, 7]);
    a.add(9, 'Count');
    expect(a.percentile(100)).toBe(9);
    expect(a.percentile(0)).toBe(7);
  });
});
