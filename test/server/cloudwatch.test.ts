import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { type Served, startServed } from './harness.js';

const T0 = Date.UTC(2026, 0, 1);
const clock = new ManualClock(T0);
let served: Served;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  served = await startServed({ engine: { clock } });
  cloudwatch = new CloudWatchClient(served.client);
});
afterAll(async () => {
  cloudwatch.destroy();
  await served.close();
});

/** The raw reply to one form-encoded query-protocol request, as the aws CLI sends them. */
async function query(params: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${served.server.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
  });
  return { status: response.status, text: await response.text() };
}

describe('CloudWatch metrics through the SDK (awsJson 1.0, query-compatible)', () => {
  it('puts custom metrics and reads them back with GetMetricStatistics, GetMetricData and ListMetrics', async () => {
    const dimensions = [{ Name: 'Route', Value: '/orders' }];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          {
            MetricName: 'Latency',
            Dimensions: dimensions,
            Unit: 'Milliseconds',
            Values: [10, 20, 30],
            Counts: [1, 1, 2],
            Timestamp: new Date(T0 + 5_000),
          },
          {
            MetricName: 'Latency',
            Dimensions: dimensions,
            Unit: 'Milliseconds',
            Value: 100,
            Timestamp: new Date(T0 + 65_000),
          },
          {
            MetricName: 'Orders',
            Unit: 'Count',
            StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 },
            Timestamp: new Date(T0),
          },
        ],
      }),
    );

    const stats = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        Dimensions: dimensions,
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
      }),
    );
    expect(stats.Label).toBe('Latency');
    expect(stats.Datapoints).toEqual([
      {
        Timestamp: new Date(T0),
        SampleCount: 4,
        Sum: 90,
        Average: 22.5,
        Minimum: 10,
        Maximum: 30,
        Unit: 'Milliseconds',
      },
      {
        Timestamp: new Date(T0 + 60_000),
        SampleCount: 1,
        Sum: 100,
        Average: 100,
        Minimum: 100,
        Maximum: 100,
        Unit: 'Milliseconds',
      },
    ]);

    const p100 = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        Dimensions: dimensions,
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        Period: 120,
        ExtendedStatistics: ['p100'],
      }),
    );
    expect(p100.Datapoints?.map((d) => d.ExtendedStatistics)).toEqual([{ p100: 100 }]);

    const data = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        MetricDataQueries: [
          {
            Id: 'sum',
            MetricStat: {
              Metric: { Namespace: 'Shop', MetricName: 'Latency', Dimensions: dimensions },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'max',
            Label: 'worst',
            MetricStat: {
              Metric: { Namespace: 'Shop', MetricName: 'Latency', Dimensions: dimensions },
              Period: 60,
              Stat: 'p100',
            },
          },
          {
            Id: 'hidden',
            ReturnData: false,
            MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Orders' }, Period: 60, Stat: 'Sum' },
          },
        ],
        ScanBy: 'TimestampAscending',
      }),
    );
    expect(data.MetricDataResults).toEqual([
      {
        Id: 'sum',
        Label: 'Latency',
        Timestamps: [new Date(T0), new Date(T0 + 60_000)],
        Values: [90, 100],
        StatusCode: 'Complete',
      },
      {
        Id: 'max',
        Label: 'worst',
        Timestamps: [new Date(T0), new Date(T0 + 60_000)],
        Values: [30, 100],
        StatusCode: 'Complete',
      },
    ]);
    const descending = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        MetricDataQueries: [
          {
            Id: 'n',
            MetricStat: {
              Metric: { Namespace: 'Shop', MetricName: 'Orders' },
              Period: 60,
              Stat: 'SampleCount',
            },
          },
        ],
      }),
    );
    expect(descending.MetricDataResults?.[0]).toMatchObject({ Timestamps: [new Date(T0)], Values: [4] });

    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'Shop' }));
    expect(listed.Metrics).toEqual(
      expect.arrayContaining([
        { Namespace: 'Shop', MetricName: 'Latency', Dimensions: dimensions },
        { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [] },
      ]),
    );
    expect(listed.Metrics).toHaveLength(2);
    const byDimension = await cloudwatch.send(new ListMetricsCommand({ Dimensions: [{ Name: 'Route' }] }));
    expect(byDimension.Metrics?.map((m) => m.MetricName)).toEqual(['Latency']);
  });

  it('inflates a gzip PutMetricData body (the SDK compresses from 10 KB)', async () => {
    const values = Array.from({ length: 150 }, (_, i) => i + 0.123456789);
    const encodings: unknown[] = [];
    const gzipped = new CloudWatchClient(served.client);
    gzipped.middlewareStack.add(
      (next) => async (args) => {
        encodings.push((args.request as { headers: Record<string, string> }).headers['content-encoding']);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    await gzipped.send(
      new PutMetricDataCommand({
        Namespace: 'Big',
        MetricData: Array.from({ length: 20 }, (_, i) => ({
          MetricName: `M${i}`,
          Values: values,
          Timestamp: new Date(T0),
        })),
      }),
    );
    const { Datapoints } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Big',
        MetricName: 'M19',
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
        Period: 60,
        Statistics: ['SampleCount'],
      }),
    );
    expect(Datapoints?.[0]?.SampleCount).toBe(150);
    expect(encodings).toEqual(['gzip']);
    gzipped.destroy();
  });

  it('surfaces the modeled exceptions with their query codes', async () => {
    const reserved = cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'X', Value: 1 }] }),
    );
    await expect(reserved).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      Type: 'Sender',
      $metadata: { httpStatusCode: 400 },
    });
    const noPeriod = cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
        Period: undefined as unknown as number,
        Statistics: ['Sum'],
      }),
    );
    await expect(noPeriod).rejects.toMatchObject({ name: 'MissingRequiredParameterException' });
    const math = cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
        MetricDataQueries: [{ Id: 'e', Expression: 'SUM(METRICS())' }],
      }),
    );
    await expect(math).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('metric math'),
    });
  });
});

describe('CloudWatch metrics over the query protocol (as the aws CLI sends it)', () => {
  it('answers PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics in XML', async () => {
    const put = await query({
      Action: 'PutMetricData',
      Namespace: 'Cli',
      'MetricData.member.1.MetricName': 'Hits',
      'MetricData.member.1.Value': '3',
      'MetricData.member.1.Unit': 'Count',
      'MetricData.member.1.Timestamp': new Date(T0).toISOString(),
      'MetricData.member.1.Dimensions.member.1.Name': 'Host',
      'MetricData.member.1.Dimensions.member.1.Value': 'a',
      'MetricData.member.2.MetricName': 'Hits',
      'MetricData.member.2.Values.member.1': '5',
      'MetricData.member.2.Values.member.2': '7',
      'MetricData.member.2.Unit': 'Count',
      'MetricData.member.2.Timestamp': new Date(T0 + 1000).toISOString(),
      'MetricData.member.2.Dimensions.member.1.Name': 'Host',
      'MetricData.member.2.Dimensions.member.1.Value': 'a',
    });
    expect(put.status).toBe(200);
    expect(put.text).toContain(
      '<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">',
    );
    expect(put.text).not.toContain('PutMetricDataResult');

    const stats = await query({
      Action: 'GetMetricStatistics',
      Namespace: 'Cli',
      MetricName: 'Hits',
      'Dimensions.member.1.Name': 'Host',
      'Dimensions.member.1.Value': 'a',
      StartTime: new Date(T0).toISOString(),
      EndTime: new Date(T0 + 60_000).toISOString(),
      Period: '60',
      'Statistics.member.1': 'Sum',
      'ExtendedStatistics.member.1': 'p100',
    });
    expect(stats.status).toBe(200);
    expect(stats.text).toContain(
      '<GetMetricStatisticsResult><Label>Hits</Label><Datapoints><member><Timestamp>2026-01-01T00:00:00Z</Timestamp>' +
        '<Sum>15</Sum><Unit>Count</Unit><ExtendedStatistics><entry><key>p100</key><value>7</value></entry>' +
        '</ExtendedStatistics></member></Datapoints></GetMetricStatisticsResult>',
    );

    const data = await query({
      Action: 'GetMetricData',
      StartTime: new Date(T0).toISOString(),
      EndTime: new Date(T0 + 60_000).toISOString(),
      'MetricDataQueries.member.1.Id': 'hits',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'Cli',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Hits',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'Host',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'a',
      'MetricDataQueries.member.1.MetricStat.Period': '60',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Maximum',
    });
    expect(data.text).toContain(
      '<MetricDataResults><member><Id>hits</Id><Label>Hits</Label><Timestamps><member>2026-01-01T00:00:00Z</member>' +
        '</Timestamps><Values><member>7</member></Values><StatusCode>Complete</StatusCode></member></MetricDataResults>',
    );

    const listed = await query({ Action: 'ListMetrics', Namespace: 'Cli' });
    expect(listed.text).toContain(
      '<Metrics><member><Namespace>Cli</Namespace><MetricName>Hits</MetricName><Dimensions><member>' +
        '<Name>Host</Name><Value>a</Value></member></Dimensions></member></Metrics>',
    );
  });

  it('answers errors in the query shape', async () => {
    const bad = await query({
      Action: 'GetMetricStatistics',
      Namespace: 'Cli',
      MetricName: 'Hits',
      StartTime: 'yesterday',
      EndTime: new Date(T0).toISOString(),
      Period: '60',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<Type>Sender</Type><Code>InvalidParameterValue</Code>');
    const missing = await query({ Action: 'PutMetricData', 'MetricData.member.1.MetricName': 'X' });
    expect(missing.text).toContain('<Code>MissingParameter</Code>');
    const unknown = await query({ Action: 'DescribeAlarms' });
    expect(unknown.text).toContain('<Code>InvalidAction</Code>');
  });
});
