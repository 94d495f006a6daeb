/**
 * PutMetricData: custom metrics, validated the way CloudWatch validates them (limits, one of
 * value / values / statisticValues, units, timestamps within two weeks back and two hours ahead).
 * The whole call is checked before anything is recorded: a bad entry records nothing.
 */
import { LambdaliteError } from '../../../errors.js';
import type { MetricRecorder } from '../recorder.js';
import type { SeriesRegistry } from '../series/registry.js';
import type { MetricDataInput, MetricDimension, StatisticSet } from '../types.js';
import { isMetricUnit, type MetricUnit } from '../units.js';
import { checkDimensions, checkName, checkTime, checkWritableNamespace, invalid } from './validate.js';

const MAX_DATA = 1000;
const MAX_VALUES = 150;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;

/** One checked entry, ready to record. */
interface CheckedDatum {
  metricName: string;
  dimensions: readonly MetricDimension[];
  unit: MetricUnit;
  timestamp: number;
  values?: ReadonlyArray<readonly [number, number]>;
  set?: StatisticSet;
}

function checkNumber(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`${option} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkDatum(entry: MetricDataInput, i: number, now: number): CheckedDatum {
  const at = `metricData[${i}]`;
  if (typeof entry !== 'object' || entry === null)
    throw invalid(`${at} must be an object, got ${JSON.stringify(entry)}`);
  const metricName = checkName(entry.metricName, `${at}.metricName`) as string;
  const dimensions = checkDimensions(entry.dimensions, `${at}.dimensions`);
  const unit = entry.unit ?? 'None';
  if (!isMetricUnit(unit))
    throw invalid(
      `${at}.unit must be a CloudWatch unit such as Count or Milliseconds, got ${JSON.stringify(unit)}`,
    );
  const timestamp = entry.timestamp === undefined ? now : checkTime(entry.timestamp, `${at}.timestamp`);
  if (timestamp < now - TWO_WEEKS_MS || timestamp > now + TWO_HOURS_MS) {
    throw invalid(
      `${at}.timestamp must be within two weeks in the past and two hours in the future, got ${timestamp}`,
    );
  }
  if (
    entry.storageResolution !== undefined &&
    entry.storageResolution !== 1 &&
    entry.storageResolution !== 60
  ) {
    throw invalid(`${at}.storageResolution must be 1 or 60, got ${JSON.stringify(entry.storageResolution)}`);
  }
  const given = [entry.value, entry.values, entry.statisticValues].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new LambdaliteError(
      'InvalidParameterCombination',
      `${at} must have exactly one of value, values and statisticValues, got ${given}`,
    );
  }
  const base = { metricName, dimensions, unit, timestamp };
  if (entry.value !== undefined) return { ...base, values: [[checkNumber(entry.value, `${at}.value`), 1]] };
  if (entry.values !== undefined) return { ...base, values: checkValues(entry, at) };
  const set = entry.statisticValues as StatisticSet;
  if (typeof set !== 'object' || set === null) throw invalid(`${at}.statisticValues must be an object`);
  const sampleCount = checkNumber(set.sampleCount, `${at}.statisticValues.sampleCount`);
  const sum = checkNumber(set.sum, `${at}.statisticValues.sum`);
  const minimum = checkNumber(set.minimum, `${at}.statisticValues.minimum`);
  const maximum = checkNumber(set.maximum, `${at}.statisticValues.maximum`);
  if (sampleCount <= 0)
    throw invalid(`${at}.statisticValues.sampleCount must be above 0, got ${sampleCount}`);
  if (minimum > maximum)
    throw invalid(`${at}.statisticValues.minimum (${minimum}) must not exceed maximum (${maximum})`);
  return { ...base, set: { sampleCount, sum, minimum, maximum } };
}

function checkValues(entry: MetricDataInput, at: string): Array<readonly [number, number]> {
  const values = entry.values;
  if (!Array.isArray(values) || values.length === 0 || values.length > MAX_VALUES) {
    throw invalid(
      `${at}.values must be an array of 1 to ${MAX_VALUES} numbers, got ${JSON.stringify(values)}`,
    );
  }
  const counts = entry.counts;
  if (counts !== undefined && (!Array.isArray(counts) || counts.length !== values.length)) {
    throw new LambdaliteError(
      'InvalidParameterCombination',
      `${at}.counts must have as many entries as values (${values.length}), got ${JSON.stringify(counts)}`,
    );
  }
  return values.map((v, j) => {
    const value = checkNumber(v, `${at}.values[${j}]`);
    const count = counts === undefined ? 1 : checkNumber(counts[j], `${at}.counts[${j}]`);
    if (!Number.isInteger(count) || count < 0)
      throw invalid(`${at}.counts[${j}] must be a whole number >= 0, got ${count}`);
    return [value, count] as const;
  });
}

export function putMetricData(
  recorder: MetricRecorder,
  registry: SeriesRegistry,
  namespaceInput: string,
  data: readonly MetricDataInput[],
): void {
  const namespace = checkWritableNamespace(namespaceInput, 'namespace');
  if (!Array.isArray(data) || data.length === 0 || data.length > MAX_DATA) {
    throw invalid(
      `metricData must be an array of 1 to ${MAX_DATA} entries, got ${Array.isArray(data) ? data.length : JSON.stringify(data)}`,
    );
  }
  const now = recorder.now();
  const checked = data.map((entry, i) => checkDatum(entry, i, now));
  for (const datum of checked) {
    const series = registry.get(namespace, datum.metricName, datum.dimensions);
    if (datum.set) recorder.recordSet(series, datum.set, datum.unit, datum.timestamp);
    for (const [value, count] of datum.values ?? []) {
      if (count > 0) recorder.record(series, value, datum.unit, datum.timestamp, count);
    }
  }
}
