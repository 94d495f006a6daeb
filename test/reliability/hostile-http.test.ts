/**
 * Hostile input over every HTTP operation of `serve` (fast-check), sent on a bare socket so
 * nothing refuses to send it: hostile names and keys in paths, queries and bodies, missing,
 * duplicated, oversized and wrong headers, bad SigV4 scopes, X-Amz-Target garbage, a
 * Content-Length that lies, truncated and deeply nested JSON and XML, huge numbers, wrong types.
 * Each request is answered (never a hang or a dropped connection) with a status and, for an
 * error, the protocol's own error shape (JSON `__type`, XML `<Code>`) and never an uncoded
 * internal failure; a refused request changes nothing; the server keeps serving.
 * FUZZ_SEED=... replays a run; FUZZ_RUNS=... runs longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type Server, serve } from '../../src/index.js';
import { fuzzEngine, fuzzSettings, hostile, snapshot } from './fuzz-kit.js';
import { type Framing, type RawOutcome, type RawRequest, type RawResponse, sendRaw } from './raw-http.js';

/** The error shape a request must get back if it is refused. */
type Shape = 'json' | 'xml' | 'either';

interface Probe {
  readonly label: string;
  readonly request: RawRequest;
  readonly shape: Shape;
}

// ---- values ----------------------------------------------------------------------------------

const junk = fc.oneof(
  { weight: 3, arbitrary: hostile },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(null, -1, 0, 1.5, 1e308, -1e308, 2 ** 64, [], {}, true, '1e400'),
  },
);
const mostly = (...valid: unknown[]) =>
  fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: junk });
const NAME = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom('fuzz-bucket', 'fuzz-stream', 'fuzz-table', 'fuzz-fn', 'fuzz-role'),
  },
  { weight: 3, arbitrary: hostile },
);

/** Every byte outside the unreserved set percent-encoded (lone surrogates as U+FFFD). */
function pct(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
/** A path segment: a hostile name encoded, or escapes no decoder accepts. */
const segment = fc.oneof(
  { weight: 4, arbitrary: NAME.map(pct) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('%FF', '%', '%zz', '%C0%AE%C0%AE', '%ED%A0%80', '..', '.', '%2F', '%00'),
  },
);
/** A header value Node's parser lets through (visible latin-1), hostile otherwise. */
const headerValue = fc.oneof(
  hostile.map((s) => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?')),
  fc.constantFrom('', ' ', '0', '-1', '99999999999999999999', 'bytes=5-1', 'x'.repeat(6000)),
);

function nested(depth: number, open: string, close: string, inner = ''): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}
/** Bodies that are not what the protocol expects. */
const malformedBody = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    '[]',
    'null',
    '"x"',
    '1e400',
    '{"__proto__":{"x":1}}',
    nested(20_000, '[', ']'),
    nested(20_000, '{"a":', '}', '1'),
    '<',
    '<a>',
    nested(20_000, '<a>', '</a>'),
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><Delete><Object><Key>&d;</Key></Object></Delete>',
    'Action=&Version=',
    '%%%%',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString('latin1')),
);

// ---- headers ---------------------------------------------------------------------------------

const AUTH = fc.oneof(
  fc.constantFrom(
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/nosuchservice/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab',
    'AWS4-HMAC-SHA256 Credential=test/2026/us-east-1/s3, SignedHeaders=, Signature=',
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/__proto__/aws4_request, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA256 ,,,===',
    'AWS AKIA:sig',
    'Bearer x',
  ),
  headerValue.map((v) => `AWS4-HMAC-SHA256 Credential=${v}, SignedHeaders=${v}, Signature=${v}`),
);
const CONTENT_TYPES = fc.constantFrom(
  'application/x-amz-json-1.0',
  'application/x-amz-json-1.1',
  'application/json',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/xml',
  'multipart/form-data; boundary=',
  'application/octet-stream',
  '',
);
const EXTRA_HEADER_NAMES = [
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
  'content-md5',
  'content-encoding',
  'x-amz-decoded-content-length',
  'x-amz-checksum-crc32',
  'x-amz-checksum-sha256',
  'x-amz-checksum-crc32c',
  'x-amz-sdk-checksum-algorithm',
  'range',
  'x-amz-copy-source',
  'x-amz-meta-__proto__',
  'x-amz-meta-a',
  'x-amz-invocation-type',
  'x-amz-log-type',
  'x-amz-client-context',
  'x-amz-target',
  'expect',
  'x-amzn-query-mode',
  'content-type',
  'authorization',
];
const EXTRA_HEADER_VALUES = fc.oneof(
  headerValue,
  fc.constantFrom(
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'UNSIGNED-PAYLOAD',
    'aws-chunked',
    'gzip',
    'bytes=0-0',
    'bytes=-5',
    'bytes=10-',
    'bytes=0-1,3-4',
    '/fuzz-bucket/key',
    '/fuzz-bucket/%FF',
    'fuzz-bucket',
    'Event',
    'DryRun',
    'Tail',
    '100-continue',
    'Kinesis_20131202.',
    'AAAA',
    '20260101T000000Z',
  ),
);
const extraHeaders = fc.array(fc.tuple(fc.constantFrom(...EXTRA_HEADER_NAMES), EXTRA_HEADER_VALUES), {
  maxLength: 4,
});
const framing = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Framing>('exact') },
  { weight: 1, arbitrary: fc.constantFrom<Framing>('none', 'short', 'long', 'huge', 'chunked') },
);

const DEEP_MAP = '\u0000deep-map';
const DEEP_LIST = '\u0000deep-list';

// ---- operations ------------------------------------------------------------------------------

const JSON_SERVICES: Readonly<
  Record<
    string,
    { prefix: string; type: string; ops: string[]; fields: Record<string, fc.Arbitrary<unknown>> }
  >
> = {
  kinesis: {
    prefix: 'Kinesis_20131202',
    type: 'application/x-amz-json-1.1',
    ops: [
      'CreateStream',
      'DeleteStream',
      'DescribeStream',
      'DescribeStreamSummary',
      'ListStreams',
      'ListShards',
      'PutRecord',
      'PutRecords',
      'GetShardIterator',
      'GetRecords',
      'SplitShard',
      'MergeShards',
      'IncreaseStreamRetentionPeriod',
      'DecreaseStreamRetentionPeriod',
    ],
    fields: {
      StreamName: mostly('fuzz-stream'),
      StreamARN: mostly('arn:aws:kinesis:us-east-1:000000000000:stream/fuzz-stream'),
      ShardCount: mostly(1, 2),
      PartitionKey: mostly('pk'),
      Data: mostly('aGVsbG8=', '', '!!!!'),
      ExplicitHashKey: mostly('0', '340282366920938463463374607431768211456'),
      Records: fc.oneof(
        junk,
        fc.array(fc.record({ Data: mostly('aGk='), PartitionKey: mostly('p') }), { maxLength: 3 }),
      ),
      ShardId: mostly('shardId-000000000000'),
      ShardIteratorType: mostly('TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AT_TIMESTAMP'),
      StartingSequenceNumber: junk,
      Timestamp: mostly(0, 1.7e9),
      ShardIterator: junk,
      Limit: mostly(1, 10000),
      ShardToSplit: mostly('shardId-000000000000'),
      NewStartingHashKey: mostly('170141183460469231731687303715884105728'),
      ShardToMerge: junk,
      AdjacentShardToMerge: junk,
      RetentionPeriodHours: mostly(24, 48),
      NextToken: junk,
    },
  },
  dynamodb: {
    prefix: 'DynamoDB_20120810',
    type: 'application/x-amz-json-1.0',
    ops: [
      'CreateTable',
      'DescribeTable',
      'DeleteTable',
      'ListTables',
      'PutItem',
      'GetItem',
      'UpdateItem',
      'DeleteItem',
      'Query',
    ],
    fields: {
      TableName: mostly('fuzz-table'),
      Item: fc.oneof(
        junk,
        fc.record({ pk: fc.record({ S: hostile }), sk: fc.record({ S: hostile }) }),
        fc.dictionary(hostile, fc.record({ S: junk }), { maxKeys: 3 }),
        fc.constant({
          pk: { S: 'a' },
          sk: { S: 'b' },
          n: { N: '1e400' },
          deep: DEEP_MAP,
        }),
        fc.constant({
          pk: { S: 'a' },
          sk: { S: 'b' },
          l: DEEP_LIST,
        }),
        fc.constant({ pk: { S: 'a' }, sk: { S: 'b' }, b: { B: '!!' }, ss: { SS: [] }, ns: { NS: ['x'] } }),
      ),
      Key: fc.oneof(junk, fc.record({ pk: fc.record({ S: hostile }), sk: fc.record({ S: hostile }) })),
      KeySchema: mostly([{ AttributeName: 'pk', KeyType: 'HASH' }]),
      AttributeDefinitions: mostly([{ AttributeName: 'pk', AttributeType: 'S' }]),
      BillingMode: mostly('PAY_PER_REQUEST'),
      StreamSpecification: mostly({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }),
      UpdateExpression: mostly('SET a = :v', 'REMOVE a', 'SET #n = :v', 'SET', nested(5000, '(', ')')),
      ConditionExpression: mostly('attribute_exists(pk)', 'attribute_not_exists(#n)', nested(5000, '(', ')')),
      KeyConditionExpression: mostly('pk = :v', 'pk = :v AND begins_with(sk, :v)', 'pk BETWEEN :v AND :v'),
      ExpressionAttributeNames: fc.oneof(
        junk,
        fc.dictionary(hostile, junk, { maxKeys: 2 }),
        fc.constant({ '#n': 'pk' }),
      ),
      ExpressionAttributeValues: fc.oneof(
        junk,
        fc.constant({ ':v': { S: 'x' } }),
        fc.dictionary(hostile, junk, { maxKeys: 2 }),
      ),
      ReturnValues: mostly('NONE', 'ALL_NEW', 'ALL_OLD'),
      Limit: mostly(1, 100),
      ExclusiveStartKey: junk,
      ScanIndexForward: mostly(true, false),
      ExclusiveStartTableName: junk,
    },
  },
  'dynamodb-streams': {
    prefix: 'DynamoDBStreams_20120810',
    type: 'application/x-amz-json-1.0',
    ops: ['ListStreams', 'DescribeStream', 'GetShardIterator', 'GetRecords'],
    fields: {
      StreamArn: junk,
      TableName: mostly('fuzz-table'),
      ShardId: junk,
      ShardIteratorType: mostly('TRIM_HORIZON', 'LATEST', 'AFTER_SEQUENCE_NUMBER'),
      SequenceNumber: junk,
      ShardIterator: junk,
      Limit: mostly(1, 1000),
      ExclusiveStartStreamArn: junk,
      ExclusiveStartShardId: junk,
    },
  },
  logs: {
    prefix: 'Logs_20140328',
    type: 'application/x-amz-json-1.1',
    ops: [
      'DescribeLogGroups',
      'DescribeLogStreams',
      'GetLogEvents',
      'FilterLogEvents',
      'PutRetentionPolicy',
      'DeleteRetentionPolicy',
      'DeleteLogGroup',
    ],
    fields: {
      logGroupName: mostly('/aws/lambda/fuzz-fn'),
      logGroupNamePrefix: junk,
      logStreamName: junk,
      logStreamNamePrefix: junk,
      logStreamNames: junk,
      startTime: mostly(0, -1, 1e300),
      endTime: mostly(0, 8.64e15 + 1),
      nextToken: junk,
      limit: mostly(1, 10000),
      startFromHead: mostly(true),
      filterPattern: mostly('"x"', '{ $.a = 1 }', '[a, b]', nested(3000, '(', ')')),
      retentionInDays: mostly(1, 7, 3653),
      orderBy: mostly('LastEventTime'),
      descending: mostly(true),
      interleaved: mostly(true),
    },
  },
  cloudwatch: {
    prefix: 'GraniteServiceVersion20100801',
    type: 'application/x-amz-json-1.0',
    ops: ['PutMetricData', 'GetMetricStatistics', 'GetMetricData', 'ListMetrics'],
    fields: {
      Namespace: mostly('Fuzz', 'AWS/Lambda'),
      MetricName: mostly('M'),
      MetricData: fc.oneof(
        junk,
        fc.array(
          fc.record({
            MetricName: mostly('M'),
            Value: mostly(1, 1e308),
            Values: mostly([1, 2]),
            Counts: mostly([1]),
            StatisticValues: mostly({ SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 }),
            Dimensions: mostly([{ Name: 'a', Value: 'b' }]),
            Timestamp: mostly(1.7e9),
            Unit: mostly('Count'),
          }),
          { maxLength: 2 },
        ),
      ),
      Dimensions: junk,
      StartTime: mostly(0, 1.7e9),
      EndTime: mostly(1.8e9),
      Period: mostly(60, 0, 1),
      Statistics: mostly(['Average'], ['Nope']),
      ExtendedStatistics: mostly(['p99'], ['p101']),
      MetricDataQueries: junk,
      ScanBy: mostly('TimestampAscending'),
      NextToken: junk,
    },
  },
};

/** Nesting deeper than a recursive JSON.stringify survives, spliced in as text. */
function withDeep(text: string): string {
  return text
    .replace(`"${DEEP_MAP}"`, nested(3000, '{"M":{"a":', '}}', '{"S":"x"}'))
    .replace(`"${DEEP_LIST}"`, nested(3000, '{"L":[', ']}', '{"N":"1"}'));
}

const jsonBody = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record(fields, { requiredKeys: [] }).map((o) => withDeep(JSON.stringify(o))) },
    { weight: 1, arbitrary: malformedBody },
  );

const jsonProbe = fc.constantFrom(...Object.keys(JSON_SERVICES)).chain((name) => {
  const svc = JSON_SERVICES[name]!;
  const target = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...svc.ops).map((op) => `${svc.prefix}.${op}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${svc.prefix}.`,
        `${svc.prefix}.__proto__`,
        `${svc.prefix}.constructor`,
        `${svc.prefix}.toString`,
        `${svc.prefix}`,
      ),
    },
  );
  return fc.record({ target, body: jsonBody(svc.fields), extra: extraHeaders, framing }).map(
    (r): Probe => ({
      label: `${name} ${r.target}`,
      shape: 'json',
      request: {
        method: 'POST',
        target: '/',
        headers: [
          ['x-amz-target', r.target],
          ['content-type', svc.type],
          ...r.extra.filter(([n]) => n !== 'x-amz-target' && n !== 'authorization'),
        ],
        body: Buffer.from(r.body, 'utf8'),
        framing: r.framing,
      },
    }),
  );
});

const FORM_FIELDS: Record<
  string,
  { version: string; actions: string[]; params: Record<string, fc.Arbitrary<string>> }
> = {
  iam: {
    version: '2010-05-08',
    actions: [
      'CreateRole',
      'GetRole',
      'DeleteRole',
      'ListRoles',
      'UpdateAssumeRolePolicy',
      'PutRolePolicy',
      'GetRolePolicy',
      'DeleteRolePolicy',
      'ListRolePolicies',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'ListAttachedRolePolicies',
    ],
    params: {
      RoleName: fc.oneof(fc.constant('fuzz-role'), hostile),
      PolicyName: hostile,
      AssumeRolePolicyDocument: fc.oneof(
        hostile,
        fc.constant(
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        ),
        malformedBody,
      ),
      PolicyDocument: fc.oneof(
        hostile,
        fc.constant('{"Version":"2012-10-17","Statement":[]}'),
        malformedBody,
      ),
      PolicyArn: fc.oneof(
        hostile,
        fc.constant('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
      ),
      Path: hostile,
      Description: hostile,
      Marker: hostile,
      MaxItems: fc.constantFrom('1', '-1', '1e400', 'x'),
    },
  },
  cloudwatch: {
    version: '2010-08-01',
    actions: ['PutMetricData', 'GetMetricStatistics', 'GetMetricData', 'ListMetrics'],
    params: {
      Namespace: fc.oneof(fc.constant('Fuzz'), hostile),
      MetricName: hostile,
      'MetricData.member.1.MetricName': hostile,
      'MetricData.member.1.Value': fc.constantFrom('1', 'NaN', 'Infinity', '1e400', '-0', 'x'),
      'MetricData.member.1.Dimensions.member.1.Name': hostile,
      'MetricData.member.1.Dimensions.member.1.Value': hostile,
      'MetricData.member.99999999.Value': fc.constant('1'),
      'MetricData.member.1.StatisticValues.Sum': fc.constantFrom('1', 'x'),
      'MetricData.member.1.Values.member.1': fc.constantFrom('1', 'x'),
      'MetricData.member.1.Timestamp': fc.constantFrom('2026-01-01T00:00:00Z', 'x', '0'),
      StartTime: fc.constantFrom('2026-01-01T00:00:00Z', 'x', '-1'),
      EndTime: fc.constantFrom('2027-01-01T00:00:00Z', 'x'),
      Period: fc.constantFrom('60', '0', '-60', 'x', '1e400'),
      'Statistics.member.1': fc.constantFrom('Average', 'x'),
      'ExtendedStatistics.member.1': fc.constantFrom('p99', 'p1e400', 'x'),
      'MetricDataQueries.member.1.Id': hostile,
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': hostile,
      'MetricDataQueries.member.1.MetricStat.Period': fc.constantFrom('60', 'x'),
      'MetricDataQueries.member.1.MetricStat.Stat': fc.constantFrom('Sum', 'p50', 'x'),
    },
  },
};

const formProbe = fc.constantFrom(...Object.keys(FORM_FIELDS)).chain((name) => {
  const svc = FORM_FIELDS[name]!;
  return fc
    .record({
      action: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...svc.actions) },
        { weight: 1, arbitrary: hostile },
      ),
      params: fc.record(svc.params, { requiredKeys: [] }),
      inQuery: fc.boolean(),
      extra: extraHeaders,
      framing,
      garbage: fc.option(malformedBody, { freq: 6 }),
    })
    .map((r): Probe => {
      const form = new URLSearchParams({ Action: r.action, Version: svc.version });
      for (const [k, v] of Object.entries(r.params)) if (v !== undefined) form.append(k, v);
      const text = r.garbage ?? form.toString();
      return {
        label: `${name} ${r.action}`,
        shape: 'xml',
        request: {
          method: 'POST',
          target: r.inQuery ? `/?${r.garbage === null ? text : pct(text)}` : '/',
          headers: [
            ['content-type', 'application/x-www-form-urlencoded; charset=utf-8'],
            ...r.extra.filter(([n]) => n !== 'content-type' && n !== 'x-amz-target' && n !== 'authorization'),
          ],
          body: Buffer.from(r.inQuery ? '' : text, 'utf8'),
          framing: r.framing,
        },
      };
    });
});

const xmlBody = fc.oneof(
  fc.constantFrom(
    '<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>',
    '<Delete><Object><Key>__proto__</Key></Object><Object/></Delete>',
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
    '<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:fuzz-fn</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration></NotificationConfiguration>',
    '<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>x</CloudFunction><Event>s3:*</Event><Filter><S3Key><FilterRule><Name>__proto__</Name><Value>a</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration></NotificationConfiguration>',
    '<NotificationConfiguration/>',
  ),
  hostile.map((k) => `<Delete><Object><Key>${k}</Key></Object></Delete>`),
  malformedBody,
);

const s3Probe = fc
  .record({
    bucket: segment,
    key: fc.oneof(
      segment,
      fc.array(segment, { minLength: 2, maxLength: 3 }).map((s) => s.join('/')),
    ),
    op: fc.constantFrom(
      ['GET', 'root'],
      ['PUT', 'bucket'],
      ['HEAD', 'bucket'],
      ['DELETE', 'bucket'],
      ['GET', 'bucket', 'location'],
      ['GET', 'bucket', 'list-type=2'],
      ['POST', 'bucket', 'delete'],
      ['PUT', 'bucket', 'notification'],
      ['GET', 'bucket', 'notification'],
      ['PUT', 'key'],
      ['GET', 'key'],
      ['HEAD', 'key'],
      ['DELETE', 'key'],
      ['POST', 'key', 'uploads'],
      ['PUT', 'key', 'uploadId'],
      ['POST', 'key', 'uploadId'],
      ['DELETE', 'key', 'uploadId'],
      ['PATCH', 'key'],
      ['GET', 'bucket', 'acl'],
    ),
    query: fc.array(
      fc.tuple(
        fc.constantFrom(
          'prefix',
          'delimiter',
          'max-keys',
          'continuation-token',
          'start-after',
          'encoding-type',
          'partNumber',
          'uploadId',
          'versionId',
          'response-content-type',
        ),
        fc.oneof(hostile, fc.constantFrom('-1', '1e400', '0', '10001', 'url')),
      ),
      { maxLength: 2 },
    ),
    body: fc.oneof(xmlBody, hostile, malformedBody),
    extra: extraHeaders,
    framing,
  })
  .map((r): Probe => {
    const [method, level, sub] = r.op as [string, string, string | undefined];
    const path = level === 'root' ? '/' : level === 'bucket' ? `/${r.bucket}` : `/${r.bucket}/${r.key}`;
    const query = [
      ...(sub === undefined ? [] : [sub === 'uploadId' ? 'uploadId=x' : sub]),
      ...r.query.map(([k, v]) => `${k}=${pct(v)}`),
    ];
    return {
      label: `s3 ${method} ${path.slice(0, 60)}`,
      shape: 'xml',
      request: {
        method,
        target: query.length === 0 ? path : `${path}?${query.join('&')}`,
        headers: r.extra.filter(([n]) => n !== 'x-amz-target' && n !== 'authorization'),
        body: Buffer.from(r.body, 'utf8'),
        framing: r.framing,
      },
    };
  });

const LAMBDA_BODY = fc.record(
  {
    FunctionName: mostly('fuzz-fn', 'fuzz-fn-2'),
    Runtime: mostly('nodejs20.x'),
    Role: mostly('arn:aws:iam::000000000000:role/fuzz-role'),
    Handler: mostly('faults.sawTimer'),
    Code: fc.oneof(
      junk,
      fc.record(
        {
          ZipFile: mostly('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', '!!'),
          S3Bucket: mostly('fuzz-bucket'),
          S3Key: junk,
        },
        { requiredKeys: [] },
      ),
    ),
    ZipFile: junk,
    Timeout: mostly(3, 0, 901),
    MemorySize: mostly(128, 1),
    Environment: fc.oneof(junk, fc.record({ Variables: fc.dictionary(hostile, junk, { maxKeys: 2 }) })),
    StatementId: hostile,
    Action: mostly('lambda:InvokeFunction'),
    Principal: mostly('s3.amazonaws.com'),
    SourceArn: junk,
    MaximumRetryAttempts: mostly(0, 2, 3),
    MaximumEventAgeInSeconds: mostly(60),
    DestinationConfig: junk,
    ReservedConcurrentExecutions: mostly(0, 1, -1),
    EventSourceArn: mostly('arn:aws:kinesis:us-east-1:000000000000:stream/fuzz-stream'),
    StartingPosition: mostly('LATEST', 'TRIM_HORIZON'),
    BatchSize: mostly(1, 100000),
    Enabled: mostly(true, false),
  },
  { requiredKeys: [] },
);
const lambdaProbe = fc
  .record({
    fn: fc.oneof({ weight: 3, arbitrary: fc.constant('fuzz-fn') }, { weight: 2, arbitrary: segment }),
    route: fc.constantFrom(
      ['POST', '/2015-03-31/functions'],
      ['GET', '/2015-03-31/functions'],
      ['GET', '/2015-03-31/functions/:f'],
      ['DELETE', '/2015-03-31/functions/:f'],
      ['GET', '/2015-03-31/functions/:f/configuration'],
      ['PUT', '/2015-03-31/functions/:f/configuration'],
      ['PUT', '/2015-03-31/functions/:f/code'],
      ['POST', '/2015-03-31/functions/:f/invocations'],
      ['POST', '/2014-11-13/functions/:f/invoke-async'],
      ['POST', '/2015-03-31/functions/:f/policy'],
      ['GET', '/2015-03-31/functions/:f/policy'],
      ['DELETE', '/2015-03-31/functions/:f/policy/:f'],
      ['PUT', '/2019-09-25/functions/:f/event-invoke-config'],
      ['GET', '/2019-09-25/functions/:f/event-invoke-config'],
      ['DELETE', '/2019-09-25/functions/:f/event-invoke-config'],
      ['PUT', '/2017-10-31/functions/:f/concurrency'],
      ['GET', '/2019-09-30/functions/:f/concurrency'],
      ['DELETE', '/2017-10-31/functions/:f/concurrency'],
      ['POST', '/2015-03-31/event-source-mappings'],
      ['GET', '/2015-03-31/event-source-mappings'],
      ['GET', '/2015-03-31/event-source-mappings/:f'],
      ['PUT', '/2015-03-31/event-source-mappings/:f'],
      ['DELETE', '/2015-03-31/event-source-mappings/:f'],
      ['GET', '/2015-03-31/layers'],
      ['GET', '/2015-03-31/functions/:f/nope/:f'],
    ),
    query: fc.option(
      fc.constantFrom(
        '?Marker=%FF',
        '?MaxItems=-1',
        '?MaxItems=1e400',
        '?Qualifier=%00',
        '?FunctionName=%2e%2e',
      ),
      { freq: 3 },
    ),
    body: fc.oneof(
      { weight: 4, arbitrary: LAMBDA_BODY.map((o) => JSON.stringify(o)) },
      { weight: 1, arbitrary: malformedBody },
    ),
    extra: extraHeaders,
    framing,
  })
  .map((r): Probe => {
    const [method, pattern] = r.route as [string, string];
    const path = pattern.replaceAll(':f', r.fn);
    return {
      label: `lambda ${method} ${pattern}`,
      shape: 'json',
      request: {
        method,
        target: path + (r.query ?? ''),
        headers: [
          ['content-type', 'application/json'],
          ...r.extra.filter(([n]) => n !== 'x-amz-target' && n !== 'authorization' && n !== 'content-type'),
        ],
        body: Buffer.from(r.body, 'utf8'),
        framing: r.framing,
      },
    };
  });

/** A probe with its routing hints spoiled: a wrong or garbage target, scope or content type. */
const spoiled = fc
  .record({
    base: fc.oneof(jsonProbe, formProbe, s3Probe, lambdaProbe),
    auth: fc.option(AUTH, { freq: 2 }),
    target: fc.option(
      fc.oneof(
        headerValue,
        fc.constantFrom(
          'Kinesis_20131202.PutRecord',
          'DynamoDB_20120810.__proto__',
          'Nope.Nope',
          '.',
          'x'.repeat(8000),
        ),
      ),
      { freq: 2 },
    ),
    contentType: fc.option(CONTENT_TYPES, { freq: 2 }),
    duplicate: fc.boolean(),
    huge: fc.option(fc.integer({ min: 1, max: 12 }), { freq: 4 }),
    presigned: fc.option(
      fc.record({
        credential: fc.oneof(
          fc.constantFrom(
            'test/20260101/us-east-1/s3/aws4_request',
            'KEY/20260101/us-east-1/lambda/aws4_request',
          ),
          hostile,
        ),
        date: fc.oneof(fc.constant('20260101T000000Z'), hostile),
        expires: fc.constantFrom('60', '-1', '1e400', '604801', 'x', ''),
        signature: fc.oneof(fc.constant('0'.repeat(64)), hostile),
      }),
      { freq: 4 },
    ),
  })
  .map((r): Probe => {
    const headers: [string, string][] = r.base.request.headers
      .filter(
        ([n]) =>
          (r.target === null || n !== 'x-amz-target') && (r.contentType === null || n !== 'content-type'),
      )
      .map(([n, v]) => [n, v]);
    if (r.auth !== null) headers.push(['authorization', r.auth]);
    if (r.target !== null) headers.push(['x-amz-target', r.target]);
    if (r.contentType !== null) headers.push(['content-type', r.contentType]);
    // A repeated header: Node joins most of them with a comma.
    if (r.duplicate) for (const h of [...headers]) headers.push(h);
    if (r.huge !== null) headers.push(['x-amz-meta-huge', 'h'.repeat(r.huge * 1024)]);
    let target = r.base.request.target;
    if (r.presigned !== null) {
      const p = r.presigned;
      const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${pct(p.credential)}&X-Amz-Date=${pct(p.date)}&X-Amz-Expires=${pct(p.expires)}&X-Amz-SignedHeaders=host&X-Amz-Signature=${pct(p.signature)}`;
      target += `${target.includes('?') ? '&' : '?'}${query}`;
    }
    return {
      label: `spoiled ${r.base.label}`,
      shape: 'either',
      request: { ...r.base.request, target, headers },
    };
  });

const PROBES = fc.oneof(
  { weight: 2, arbitrary: jsonProbe },
  { weight: 1, arbitrary: formProbe },
  { weight: 2, arbitrary: s3Probe },
  { weight: 2, arbitrary: lambdaProbe },
  { weight: 2, arbitrary: spoiled },
);

// ---- checks ----------------------------------------------------------------------------------

function errorCode(
  body: Buffer,
  contentType: string,
): { shape: 'json' | 'xml'; code: string; message: string } | undefined {
  const text = body.toString('utf8');
  if (contentType.includes('json')) {
    try {
      const parsed = JSON.parse(text) as { __type?: unknown; message?: unknown; Message?: unknown };
      if (typeof parsed.__type === 'string') {
        return {
          shape: 'json',
          code: parsed.__type,
          message: String(parsed.message ?? parsed.Message ?? ''),
        };
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
  return code === undefined ? undefined : { shape: 'xml', code, message };
}

/** An answer of Node's HTTP layer, not of a service. */
function isBare({ status, headers, body }: RawResponse): boolean {
  return [400, 417, 431].includes(status) && body.length === 0 && !headers.has('content-type');
}

/** What is wrong with an outcome, or undefined when it keeps every promise. */
function problemWith(probe: Probe, outcome: RawOutcome): string | undefined {
  const { request } = probe;
  if (outcome.kind === 'timeout') return 'no answer (hang)';
  if (outcome.kind === 'closed') {
    // A body shorter than its Content-Length cannot be answered: the client is gone mid-request.
    return request.framing === 'long'
      ? undefined
      : `connection closed without an answer (${outcome.bytes} bytes)`;
  }
  const { status, headers, body } = outcome.response;
  if (status < 400) return undefined;
  // Node's HTTP layer answers what is not HTTP it can serve (a broken frame, an oversized header
  // block, an Expect it does not know) with a bare status before any service is known.
  if (isBare(outcome.response)) return undefined;
  if (request.method === 'HEAD') return body.length === 0 ? undefined : 'HEAD error with a body';
  const error = errorCode(body, headers.get('content-type') ?? '');
  if (error === undefined) {
    return `status ${status} without an error shape: ${headers.get('content-type')} ${body.toString('utf8').slice(0, 200)}`;
  }
  if (probe.shape !== 'either' && error.shape !== probe.shape)
    return `a ${error.shape} error where ${probe.shape} was due`;
  if (error.message.startsWith('Internal failure'))
    return `an uncoded failure: ${error.code} ${error.message}`;
  return undefined;
}

function describeRequest(r: RawRequest): string {
  const body =
    r.body.length > 300
      ? `${r.body.subarray(0, 300).toString('utf8')}... (${r.body.length} bytes)`
      : r.body.toString('utf8');
  const headers = r.headers.map(
    ([n, v]) => `${n}: ${v.length > 100 ? `${v.slice(0, 100)}... (${v.length})` : v}`,
  );
  return `${r.method} ${r.target.slice(0, 300)} [${r.framing}]\n${headers.join('\n')}\n\n${JSON.stringify(body)}`;
}

const ANSWER_WITHIN_MS = 15_000;

/** Outcomes by operation, status and code: FUZZ_TALLY=1 prints them, to see what a run reached. */
const outcomes = new Map<string, number>();
function tally(probe: Probe, outcome: RawOutcome): void {
  let what: string = outcome.kind;
  if (outcome.kind === 'response') {
    const { status, headers, body } = outcome.response;
    what = `${status} ${errorCode(body, headers.get('content-type') ?? '')?.code ?? ''}`;
  }
  const key = `${probe.label.split(' ').slice(0, 3).join(' ').slice(0, 80)} -> ${what}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}
function showTally(): string {
  return [...outcomes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${String(n).padStart(5)} ${key}`)
    .join('\n');
}

describe('hostile input over every HTTP operation of serve', () => {
  let engine: Engine;
  let server: Server;
  beforeAll(async () => {
    engine = await fuzzEngine();
    server = await serve(engine, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await engine.close();
  });

  /**
   * Sends each probe and checks its answer; `signed` servers must refuse every probe (none is
   * signed with their key), and then nothing may change whatever the answer.
   */
  async function fuzz(target: Server, probes: fc.Arbitrary<Probe>, signed: boolean): Promise<void> {
    await fc.assert(
      fc.asyncProperty(probes, async (probe) => {
        const before = await snapshot(engine);
        const outcome = await sendRaw(target.port, probe.request, ANSWER_WITHIN_MS);
        tally(probe, outcome);
        const problem =
          problemWith(probe, outcome) ??
          (signed && outcome.kind === 'response' && outcome.response.status < 400
            ? `an unsigned request was served (${outcome.response.status})`
            : undefined);
        if (problem !== undefined)
          throw new Error(`${probe.label}: ${problem}\n${describeRequest(probe.request)}`);
        // A bare answer from Node's HTTP layer can come for bytes after a well-framed request
        // (a Content-Length that lies short), which itself may have been served: only a
        // service's own refusal promises that nothing changed.
        const refused =
          outcome.kind === 'response' && outcome.response.status >= 400 && !isBare(outcome.response);
        if (signed || refused) {
          expect(
            await snapshot(engine),
            `${probe.label} was refused yet changed the store\n${describeRequest(probe.request)}`,
          ).toEqual(before);
        }
      }),
      fuzzSettings(150),
    );
  }

  it('answers every request in its protocol, refuses without changing anything, and keeps serving', async () => {
    await fuzz(server, PROBES, false);
    if (process.env.FUZZ_TALLY !== undefined) console.log(showTally());
    const alive = await fetch(`${server.url}/`);
    expect(alive.status).toBe(200);
    expect(engine.status).toBe('open');
  }, 240_000);

  it('with credentials, refuses every request without a valid signature, in its protocol, changing nothing', async () => {
    const signed = await serve(engine, { port: 0, credentials: 'fuzz-key:fuzz-secret' });
    try {
      await fuzz(signed, PROBES, true);
      expect((await fetch(`${signed.url}/`)).status).toBe(403);
    } finally {
      await signed.close();
    }
    if (process.env.FUZZ_TALLY !== undefined) console.log(showTally());
  }, 240_000);
});
