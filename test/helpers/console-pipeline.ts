/**
 * The pipeline the CLI and console tests apply: an echoing function, one that prints and waits
 * at a gate (for live tails), one that always throws (for dead letters, no retries), a bucket,
 * a one-shard stream mapped to the echo function, and a table.
 */
import { EXECUTION_LOGS_POLICY } from '../../src/iam/seed-policies.js';
import { FIXTURES } from './functions.js';
import { STREAM_READER_POLICY } from './iam.js';

export function consolePipeline() {
  const role = `arn:aws:iam::\${AWS::AccountId}:role/cli-fn`;
  return {
    roles: [
      {
        name: 'cli-fn',
        assumeRolePolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        policies: { logs: EXECUTION_LOGS_POLICY, read: STREAM_READER_POLICY },
      },
    ],
    buckets: [{ name: 'cli-bucket' }],
    streams: [{ name: 'cli-stream', shardCount: 1 }],
    tables: [{ name: 'cli-table', partitionKey: 'pk', sortKey: 'sk' }],
    functions: [
      { name: 'echo', handler: 'gate.handler', code: { directory: FIXTURES }, role },
      { name: 'gated', handler: 'logs.gated', code: { directory: FIXTURES }, role, timeoutSec: 60 },
      { name: 'fails', handler: 'faults.throws', code: { directory: FIXTURES }, role },
    ],
    eventInvokeConfigs: [{ functionName: 'fails', maximumRetryAttempts: 0 }],
    mappings: [
      {
        functionName: 'echo',
        eventSourceArn: `arn:aws:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/cli-stream`,
        startingPosition: 'TRIM_HORIZON',
      },
    ],
  };
}
