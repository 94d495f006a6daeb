/** The aws CLI v2 (Debian's awscli; .ci/run installs it) against serve: test/server/aws-cli.sh. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/index.js';
import { type Served, startServed } from './harness.js';
import { zipHandler } from './zip.js';

const SCRIPT = fileURLToPath(new URL('./aws-cli.sh', import.meta.url));
// Debian's package; a pip-installed aws v1 elsewhere on PATH lacks --cli-binary-format.
const AWS = process.env['AWS_CLI'] ?? (existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws');

let served: Served;
let work: string;

beforeAll(async () => {
  served = await startServed();
  work = await mkdtemp(join(tmpdir(), 'lambdalite-awscli-'));
});
afterAll(async () => {
  await served.close();
  await rm(work, { recursive: true, force: true });
});

describe('the aws CLI against serve', () => {
  it('runs s3 mb/cp/ls/rm, lambda create-function/invoke, logs tail, kinesis put-record and cloudwatch metrics', {
    timeout: 120_000,
  }, async () => {
    const { arn } = await served.engine.iam.createRole({
      name: 'cli',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    });
    await served.engine.streams.create('cli-stream');
    const zip = join(work, 'fn.zip');
    await writeFile(zip, zipHandler('export const handler = async (e) => ({ n: e.n + 1 });'));
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'bash',
        [SCRIPT],
        {
          env: { ...process.env, AWS, ENDPOINT: served.server.url, WORK: work, ZIP: zip, ROLE: arn },
          timeout: 110_000,
        },
        (err, stdout, stderr) =>
          resolve({
            code: err === null ? 0 : ((err as { code?: number }).code ?? 1),
            output: stdout + stderr,
          }),
      );
    });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    expect((await served.engine.buckets.list()).map((b) => b.name)).toEqual(['cli-bucket']);
    expect((await served.engine.buckets.listObjects('cli-bucket')).contents).toEqual([]);
    expect((await served.engine.functions.get('cli-echo')).handler).toBe('index.handler');
    const shard = await served.engine.streams.getShardIterator('cli-stream', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    const { records } = await served.engine.streams.getRecords(shard);
    expect(records.map((r) => r.data.toString())).toEqual(['hello']);
    const { metrics } = await served.engine.metrics.list({ namespace: 'Cli' });
    expect(metrics).toEqual([
      { namespace: 'Cli', metricName: 'Hits', dimensions: [{ name: 'Host', value: 'a' }] },
    ]);
  });
});
