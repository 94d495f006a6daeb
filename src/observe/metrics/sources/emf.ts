/**
 * Embedded Metric Format: a log line that is a JSON object with `_aws.CloudWatchMetrics` becomes
 * metrics, as CloudWatch Logs extracts them. Each MetricDirective names a namespace, dimension
 * sets (arrays of keys whose values are strings in the root object) and metric definitions
 * (name, optional unit) whose values are numbers or arrays of up to 100 numbers in the root
 * object. One metric per dimension set; an empty list of sets means no dimensions. A document
 * that breaks the rules yields no metrics at all (CloudWatch keeps the line and drops the
 * metrics), and so does a namespace under `AWS/`.
 */
import type { MetricDimension } from '../types.js';
import { isMetricUnit, type MetricUnit } from '../units.js';

/** One extracted metric: its values share the identity and the document's timestamp. */
export interface EmfMetric {
  namespace: string;
  metricName: string;
  dimensions: MetricDimension[];
  unit: MetricUnit;
  values: number[];
  timestamp: number;
}

const MAX_DIMENSION_KEYS = 30;
const MAX_METRICS = 100;
const MAX_VALUES = 100;
const MAX_NAME = 1024;

class Invalid extends Error {}

function fail(): never {
  throw new Invalid();
}

/** A cheap test before parsing: most lines are not EMF. */
export function mayBeEmf(line: string): boolean {
  return line.charCodeAt(0) === 123 /* { */ && line.includes('"_aws"');
}

/** The metrics of an EMF document, or undefined when `line` is not one (or is invalid). */
export function extractEmf(line: string): EmfMetric[] | undefined {
  if (!mayBeEmf(line)) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return undefined;
  }
  try {
    return extract(root);
  } catch (err) {
    if (err instanceof Invalid) return undefined;
    throw err;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member of the root object; JSON.parse gives own properties only, `__proto__` included. */
function member(root: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(root, key) ? root[key] : undefined;
}

function name(value: unknown): string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME ? value : fail();
}

function extract(root: unknown): EmfMetric[] | undefined {
  if (!isObject(root)) return undefined;
  const aws = member(root, '_aws');
  if (!isObject(aws)) return undefined;
  const directives = member(aws, 'CloudWatchMetrics');
  if (!Array.isArray(directives)) return undefined;
  const timestamp = member(aws, 'Timestamp');
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) fail();
  const out: EmfMetric[] = [];
  for (const directive of directives) {
    if (!isObject(directive)) fail();
    const namespace = name(member(directive, 'Namespace'));
    if (namespace.startsWith('AWS/')) fail();
    const sets = dimensionSets(root, member(directive, 'Dimensions'));
    const definitions = member(directive, 'Metrics');
    if (!Array.isArray(definitions) || definitions.length > MAX_METRICS) fail();
    for (const definition of definitions) {
      if (!isObject(definition)) fail();
      const metricName = name(member(definition, 'Name'));
      const unitText = member(definition, 'Unit');
      const unit: MetricUnit = unitText === undefined ? 'None' : isMetricUnit(unitText) ? unitText : fail();
      const resolution = member(definition, 'StorageResolution');
      if (resolution !== undefined && resolution !== 1 && resolution !== 60) fail();
      const values = metricValues(member(root, metricName));
      for (const dimensions of sets) {
        out.push({ namespace, metricName, dimensions, unit, values, timestamp });
      }
    }
  }
  return out;
}

function dimensionSets(root: Record<string, unknown>, value: unknown): MetricDimension[][] {
  if (!Array.isArray(value)) fail();
  if (value.length === 0) return [[]];
  return value.map((set: unknown) => {
    if (!Array.isArray(set) || set.length > MAX_DIMENSION_KEYS) fail();
    const seen = new Set<string>();
    return set.map((key: unknown): MetricDimension => {
      const dimension = name(key);
      if (seen.has(dimension)) fail();
      seen.add(dimension);
      const dimensionValue = member(root, dimension);
      return typeof dimensionValue === 'string' && dimensionValue.length > 0
        ? { name: dimension, value: dimensionValue }
        : fail();
    });
  });
}

function metricValues(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > MAX_VALUES) fail();
  return list.map((v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : fail()));
}
