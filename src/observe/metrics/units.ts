/** CloudWatch's standard units (StandardUnit). */
export const METRIC_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

export type MetricUnit = (typeof METRIC_UNITS)[number];

const UNITS: ReadonlySet<string> = new Set(METRIC_UNITS);

export function isMetricUnit(value: unknown): value is MetricUnit {
  return typeof value === 'string' && UNITS.has(value);
}
