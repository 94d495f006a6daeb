/** Statistic names (Sum, Average, ..., pNN.NN) and their value over an {@link Aggregate}. */
import { LambdaliteError } from '../../../errors.js';
import type { BasicStatistic } from '../types.js';
import type { Aggregate } from './aggregate.js';

export const BASIC_STATISTICS: readonly BasicStatistic[] = [
  'SampleCount',
  'Average',
  'Sum',
  'Minimum',
  'Maximum',
];
const BASIC: ReadonlySet<string> = new Set(BASIC_STATISTICS);

/** A parsed statistic: a basic one, or a percentile in [0, 100]. */
export type Statistic = { kind: 'basic'; name: BasicStatistic } | { kind: 'percentile'; percentile: number };

/** CloudWatch's percentile syntax: p0 to p100 with up to two decimals. */
const PERCENTILE = /^p(\d{1,3})(\.\d{1,2})?$/;

export function parsePercentile(text: string): number | undefined {
  const match = PERCENTILE.exec(text);
  if (!match) return undefined;
  const value = Number(`${match[1]}${match[2] ?? ''}`);
  return value >= 0 && value <= 100 ? value : undefined;
}

/** Parses a statistic name, or throws InvalidParameterValue naming it and the option. */
export function parseStatistic(text: unknown, option: string): Statistic {
  if (typeof text === 'string') {
    if (BASIC.has(text)) return { kind: 'basic', name: text as BasicStatistic };
    const percentile = parsePercentile(text);
    if (percentile !== undefined) return { kind: 'percentile', percentile };
  }
  throw new LambdaliteError(
    'InvalidParameterValue',
    `${option} must be one of ${BASIC_STATISTICS.join(', ')} or a percentile p0..p100 such as p99 or p99.9, got ${JSON.stringify(text)}`,
  );
}

export function basicValue(aggregate: Aggregate, name: BasicStatistic): number {
  switch (name) {
    case 'SampleCount':
      return aggregate.count;
    case 'Sum':
      return aggregate.sum;
    case 'Average':
      return aggregate.sum / aggregate.count;
    case 'Minimum':
      return aggregate.min;
    case 'Maximum':
      return aggregate.max;
  }
}

/** The statistic over a non-empty aggregate; undefined for a percentile it cannot give. */
export function statisticValue(aggregate: Aggregate, statistic: Statistic): number | undefined {
  return statistic.kind === 'basic'
    ? basicValue(aggregate, statistic.name)
    : aggregate.percentile(statistic.percentile);
}
