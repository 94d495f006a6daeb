/**
 * A metric's identity: namespace, name and dimension set, the way CloudWatch tells metrics
 * apart (dimension order does not matter; a different set is a different metric).
 */
import { createHash } from 'node:crypto';
import type { MetricDimension } from '../types.js';

export const MINUTE_MS = 60_000;
/** AWS's namespace for Lambda's own metrics, the default of the read operations. */
export const LAMBDA_NAMESPACE = 'AWS/Lambda';

/** The dimensions sorted by name, each copied and the list frozen (safe to share). */
export function canonicalDimensions(
  dimensions: readonly MetricDimension[] | undefined,
): readonly MetricDimension[] {
  if (dimensions === undefined || dimensions.length === 0) return EMPTY;
  const copy = dimensions.map((d) => Object.freeze({ name: d.name, value: d.value }));
  copy.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Object.freeze(copy);
}

const EMPTY: readonly MetricDimension[] = Object.freeze([]);

/** An unambiguous text key for the identity (JSON of its parts: no separator to escape). */
export function seriesKey(
  namespace: string,
  metricName: string,
  dimensions: readonly MetricDimension[],
): string {
  const parts: string[] = [namespace, metricName];
  for (const d of dimensions) parts.push(d.name, d.value);
  return JSON.stringify(parts);
}

/** A fixed-width id for storage keys: user text never appears in a key. */
export function seriesId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export function minuteOf(timestamp: number): number {
  return Math.floor(timestamp / MINUTE_MS) * MINUTE_MS;
}
