/**
 * GetMetricStatistics, GetMetricData, ListMetrics, PutMetricData: one engine call each (one
 * `getStatistics` per query of GetMetricData), read through an `InputReader` and answered as an
 * `OutputStruct`, whatever the protocol.
 */
import type { Engine } from '../../engine.js';
import type {
  BasicStatistic,
  DimensionFilter,
  MetricDataInput,
  MetricDimension,
  MetricStatisticsDatapoint,
  MetricUnit,
} from '../../observe/metrics/types.js';
import { WireError } from '../wire-error.js';
import type { OutputStruct, OutputValue } from './output.js';
import type { InputReader } from './reader.js';

export type MetricsOperation = (input: InputReader) => Promise<OutputStruct | undefined>;

const BASIC: ReadonlyMap<string, keyof MetricStatisticsDatapoint> = new Map<
  string,
  keyof MetricStatisticsDatapoint
>([
  ['SampleCount', 'sampleCount'],
  ['Average', 'average'],
  ['Sum', 'sum'],
  ['Minimum', 'minimum'],
  ['Maximum', 'maximum'],
]);

function missing(name: string): WireError {
  return new WireError('MissingParameter', 400, `The parameter ${name} is required.`);
}

function needStr(input: InputReader, name: string): string {
  const value = input.str(name);
  if (value === undefined) throw missing(name);
  return value;
}

function needTime(input: InputReader, name: string): number {
  const value = input.time(name);
  if (value === undefined) throw missing(name);
  return value;
}

function needNum(input: InputReader, name: string): number {
  const value = input.num(name);
  if (value === undefined) throw missing(name);
  return value;
}

function dimensions(input: InputReader): MetricDimension[] | undefined {
  return input.list('Dimensions')?.map((d) => ({ name: needStr(d, 'Name'), value: needStr(d, 'Value') }));
}

function dimensionFilters(input: InputReader): DimensionFilter[] | undefined {
  return input.list('Dimensions')?.map((d) => {
    const value = d.str('Value');
    return { name: needStr(d, 'Name'), ...(value === undefined ? {} : { value }) };
  });
}

function datapointOut(d: MetricStatisticsDatapoint): OutputStruct {
  return {
    Timestamp: new Date(d.timestamp),
    SampleCount: d.sampleCount,
    Average: d.average,
    Sum: d.sum,
    Minimum: d.minimum,
    Maximum: d.maximum,
    Unit: d.unit,
    ExtendedStatistics:
      d.extendedStatistics === undefined ? undefined : new Map(Object.entries(d.extendedStatistics)),
  };
}

/** The value of `stat` in a datapoint: a basic statistic or a percentile asked as such. */
function statValue(d: MetricStatisticsDatapoint, stat: string): number | undefined {
  const field = BASIC.get(stat);
  if (field !== undefined) return d[field] as number | undefined;
  const percentiles = d.extendedStatistics;
  return percentiles !== undefined && Object.hasOwn(percentiles, stat) ? percentiles[stat] : undefined;
}

function dataInput(entry: InputReader): MetricDataInput {
  const dims = dimensions(entry);
  const value = entry.num('Value');
  const values = entry.numList('Values');
  const counts = entry.numList('Counts');
  const stats = entry.struct('StatisticValues');
  const unit = entry.str('Unit');
  const timestamp = entry.time('Timestamp');
  const storageResolution = entry.num('StorageResolution');
  return {
    metricName: needStr(entry, 'MetricName'),
    ...(dims === undefined ? {} : { dimensions: dims }),
    ...(value === undefined ? {} : { value }),
    ...(values === undefined ? {} : { values }),
    ...(counts === undefined ? {} : { counts }),
    ...(stats === undefined
      ? {}
      : {
          statisticValues: {
            sampleCount: needNum(stats, 'SampleCount'),
            sum: needNum(stats, 'Sum'),
            minimum: needNum(stats, 'Minimum'),
            maximum: needNum(stats, 'Maximum'),
          },
        }),
    // The engine checks the unit against CloudWatch's list.
    ...(unit === undefined ? {} : { unit: unit as MetricUnit }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(storageResolution === undefined ? {} : { storageResolution }),
  };
}

export function metricsOperations(engine: Engine): Record<string, MetricsOperation> {
  return {
    async GetMetricStatistics(input) {
      const dims = dimensions(input);
      const statistics = input.strList('Statistics');
      const extended = input.strList('ExtendedStatistics');
      const out = await engine.metrics.getStatistics({
        namespace: needStr(input, 'Namespace'),
        metricName: needStr(input, 'MetricName'),
        ...(dims === undefined ? {} : { dimensions: dims }),
        startTime: needTime(input, 'StartTime'),
        endTime: needTime(input, 'EndTime'),
        periodMs: needNum(input, 'Period') * 1000,
        // The engine checks the names.
        ...(statistics === undefined ? {} : { statistics: statistics as BasicStatistic[] }),
        ...(extended === undefined ? {} : { extendedStatistics: extended }),
      });
      return { Label: out.label, Datapoints: out.datapoints.map(datapointOut) };
    },

    async GetMetricData(input) {
      const startTime = needTime(input, 'StartTime');
      const endTime = needTime(input, 'EndTime');
      const ascending = input.str('ScanBy') === 'TimestampAscending';
      const queries = input.list('MetricDataQueries');
      if (queries === undefined || queries.length === 0) throw missing('MetricDataQueries');
      const results: OutputValue[] = [];
      for (const [i, query] of queries.entries()) {
        const id = needStr(query, 'Id');
        if (query.str('Expression') !== undefined) {
          throw new WireError(
            'InvalidParameterValue',
            400,
            `MetricDataQueries.member.${i + 1}.Expression: metric math is not supported by lambdalite; use MetricStat`,
          );
        }
        const metricStat = query.struct('MetricStat');
        const metric = metricStat?.struct('Metric');
        if (metricStat === undefined || metric === undefined) {
          throw missing(`MetricDataQueries.member.${i + 1}.MetricStat.Metric`);
        }
        const stat = needStr(metricStat, 'Stat');
        const dims = dimensions(metric);
        const out = await engine.metrics.getStatistics({
          namespace: needStr(metric, 'Namespace'),
          metricName: needStr(metric, 'MetricName'),
          ...(dims === undefined ? {} : { dimensions: dims }),
          startTime,
          endTime,
          periodMs: needNum(metricStat, 'Period') * 1000,
          ...(BASIC.has(stat) ? { statistics: [stat as BasicStatistic] } : { extendedStatistics: [stat] }),
        });
        if (query.bool('ReturnData') === false) continue;
        const points = out.datapoints.flatMap((d) => {
          const value = statValue(d, stat);
          return value === undefined ? [] : [{ timestamp: d.timestamp, value }];
        });
        if (!ascending) points.reverse();
        results.push({
          Id: id,
          Label: query.str('Label') ?? out.label,
          Timestamps: points.map((p) => new Date(p.timestamp)),
          Values: points.map((p) => p.value),
          StatusCode: 'Complete',
        });
      }
      return { MetricDataResults: results, Messages: [] };
    },

    async ListMetrics(input) {
      const namespace = input.str('Namespace');
      const metricName = input.str('MetricName');
      const filters = dimensionFilters(input);
      const out = await engine.metrics.list({
        ...(namespace === undefined ? {} : { namespace }),
        ...(metricName === undefined ? {} : { metricName }),
        ...(filters === undefined ? {} : { dimensions: filters }),
      });
      return {
        Metrics: out.metrics.map((m) => ({
          Namespace: m.namespace,
          MetricName: m.metricName,
          Dimensions: m.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
        })),
      };
    },

    async PutMetricData(input) {
      const data = input.list('MetricData');
      if (data === undefined) throw missing('MetricData');
      await engine.metrics.putMetricData(needStr(input, 'Namespace'), data.map(dataInput));
      return undefined;
    },
  };
}
