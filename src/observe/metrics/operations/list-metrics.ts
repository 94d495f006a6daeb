/**
 * ListMetrics: the metrics with data within the retention (stored, or recorded since the engine
 * opened), filtered by namespace, name and dimensions (each filter dimension must be present,
 * with the given value when one is given).
 */
import type { RetentionSweeper } from '../rollup/retention.js';
import type { RollupStore } from '../rollup/store.js';
import type { SeriesRegistry } from '../series/registry.js';
import type { DimensionFilter, ListMetricsInput, ListMetricsResult, MetricIdentity } from '../types.js';
import { checkName, checkObject, invalid, MAX_DIMENSIONS } from './validate.js';

export interface ListDeps {
  registry: SeriesRegistry;
  store: RollupStore;
  retention: RetentionSweeper;
}

function checkFilters(value: unknown): readonly DimensionFilter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_DIMENSIONS) {
    throw invalid(
      `dimensions must be an array of at most ${MAX_DIMENSIONS} { name, value? }, got ${JSON.stringify(value)}`,
    );
  }
  return value.map((entry: unknown, i: number) => {
    const f = entry as { name?: unknown; value?: unknown } | null;
    const name = checkName(f?.name, `dimensions[${i}].name`) as string;
    if (f?.value !== undefined && typeof f.value !== 'string') {
      throw invalid(`dimensions[${i}].value must be a string, got ${JSON.stringify(f.value)}`);
    }
    return f?.value === undefined ? { name } : { name, value: f.value };
  });
}

function matches(metric: MetricIdentity, filters: readonly DimensionFilter[]): boolean {
  return filters.every((f) =>
    metric.dimensions.some((d) => d.name === f.name && (f.value === undefined || d.value === f.value)),
  );
}

export function listMetrics(deps: ListDeps, input: ListMetricsInput = {}): ListMetricsResult {
  checkObject(input, 'input');
  const namespace = checkName(input.namespace, 'namespace', false);
  const metricName = checkName(input.metricName, 'metricName', false);
  const filters = checkFilters(input.dimensions);
  const wanted = (m: MetricIdentity): boolean =>
    (namespace === undefined || m.namespace === namespace) &&
    (metricName === undefined || m.metricName === metricName) &&
    matches(m, filters);
  const found = new Map<string, MetricIdentity>();
  const cutoff = deps.retention.cutoff();
  for (const record of deps.store.series()) {
    if (record.last >= cutoff && wanted(record)) found.set(record.id, identity(record));
  }
  for (const series of deps.registry.all()) {
    if (series.lastMinute >= cutoff && !found.has(series.id) && wanted(series))
      found.set(series.id, identity(series));
  }
  const metrics = [...found.values()].sort(
    (a, b) =>
      compare(a.namespace, b.namespace) ||
      compare(a.metricName, b.metricName) ||
      compare(JSON.stringify(a.dimensions), JSON.stringify(b.dimensions)),
  );
  return { metrics };
}

function identity(m: MetricIdentity): MetricIdentity {
  return { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
