/**
 * The Prometheus text exposition format (version 0.0.4) of every series recorded since the
 * engine opened. Names are `<namespace>_<metric>` in snake case (`aws_lambda_invocations_total`),
 * dimensions are labels. AWS/Lambda's counts are counters (running sums since open), its
 * ConcurrentExecutions and IteratorAge gauges (the last value); everything else, Duration and
 * custom metrics included, is a summary: quantiles 0.5 / 0.9 / 0.99 over the current and the
 * previous minute, with `_sum` and `_count` since open.
 */
import type { SeriesRegistry } from '../series/registry.js';
import type { Series } from '../series/series.js';
import { Aggregate } from '../stats/aggregate.js';
import type { MetricUnit } from '../units.js';

type Kind = 'counter' | 'gauge' | 'summary';

const LAMBDA_COUNTERS: ReadonlySet<string> = new Set([
  'Invocations',
  'Errors',
  'Throttles',
  'AsyncEventsReceived',
  'AsyncEventsDropped',
  'DeadLetterErrors',
  'DestinationDeliveryFailures',
]);
const LAMBDA_GAUGES: ReadonlySet<string> = new Set(['ConcurrentExecutions', 'IteratorAge']);
const QUANTILES = [0.5, 0.9, 0.99] as const;

const UNIT_SUFFIX: ReadonlyMap<MetricUnit, string> = new Map([
  ['Seconds', 'seconds'],
  ['Milliseconds', 'milliseconds'],
  ['Microseconds', 'microseconds'],
  ['Bytes', 'bytes'],
  ['Percent', 'percent'],
] as const);

function kindOf(series: Series): Kind {
  if (series.namespace === 'AWS/Lambda') {
    if (LAMBDA_COUNTERS.has(series.metricName)) return 'counter';
    if (LAMBDA_GAUGES.has(series.metricName)) return 'gauge';
  }
  return 'summary';
}

/** CamelCase and punctuation to snake case: `AWS/Lambda` -> `aws_lambda`. */
export function snake(text: string): string {
  const out = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

function familyName(series: Series, kind: Kind): string {
  const base = `${snake(series.namespace)}_${snake(series.metricName)}`;
  if (kind === 'counter') return `${base}_total`;
  const suffix = UNIT_SUFFIX.get(series.unit);
  return suffix === undefined || base.endsWith(`_${suffix}`) ? base : `${base}_${suffix}`;
}

function labelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  // `quantile` belongs to summaries and `__` names to Prometheus itself.
  if (out === 'quantile' || out.startsWith('__')) out = `dimension_${out}`;
  return out;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labels(series: Series, extra?: string): string {
  const parts = series.dimensions.map((d) => `${labelName(d.name)}="${escapeLabel(d.value)}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** The values of the current and the previous minute, for a summary's quantiles. */
function window(series: Series): Aggregate {
  const merged = new Aggregate();
  if (series.previous) merged.merge(series.previous.aggregate);
  for (const aggregate of series.open.values()) merged.merge(aggregate);
  return merged;
}

export function prometheusText(registry: SeriesRegistry): string {
  const families = new Map<string, { kind: Kind; help: string; series: Series[] }>();
  for (const series of registry.all()) {
    if (!series.hasData) continue;
    const kind = kindOf(series);
    const name = familyName(series, kind);
    let family = families.get(name);
    if (family === undefined) {
      family = { kind, help: `${series.namespace} ${series.metricName} (${series.unit})`, series: [] };
      families.set(name, family);
    }
    family.series.push(series);
  }
  const lines: string[] = [];
  for (const [name, family] of [...families].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.kind}`);
    for (const series of family.series) {
      if (family.kind === 'counter') lines.push(`${name}${labels(series)} ${number(series.totalSum)}`);
      else if (family.kind === 'gauge') lines.push(`${name}${labels(series)} ${number(series.lastValue)}`);
      else {
        const recent = window(series);
        for (const q of QUANTILES) {
          const value = recent.percentile(q * 100) ?? Number.NaN;
          lines.push(`${name}${labels(series, `quantile="${q}"`)} ${number(value)}`);
        }
        lines.push(`${name}_sum${labels(series)} ${number(series.totalSum)}`);
        lines.push(`${name}_count${labels(series)} ${number(series.totalCount)}`);
      }
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
