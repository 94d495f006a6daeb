/**
 * Cost of a `lambdalite/sdk` call from inside a function: N sequential buckets.getObject of a
 * 1 KiB object, timed inside the handler (one message each way per call, the execution-role
 * check, the bucket read), beside the same N reads made by the host program directly on the
 * engine in the same run (no worker hop, no IAM check), and beside the floor: N raw round trips
 * between a bare worker thread and the host carrying the same arguments and a 1 KiB result.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createEngine } from '../src/engine.js';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../src/iam/seed-policies.js';
import type { Benchmark, Figure } from './harness.js';
import { interleaved, rate } from './harness.js';

const N = 5_000;
const RUNS = 5;

const HANDLER = `import { buckets } from 'lambdalite/sdk';
export const handler = async ({ n }) => {
  const start = performance.now();
  for (let i = 0; i < n; i++) await buckets.getObject('bench', 'k');
  return n / ((performance.now() - start) / 1000);
};`;

const RAW_WORKER = `const { parentPort } = require('node:worker_threads');
let pending;
parentPort.on('message', (m) => { if (m.type === 'r') pending(m); else if (m.type === 'go') run(m.n); });
async function run(n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => { pending = resolve; parentPort.postMessage({ type: 'q', id: i, args: ['bench', 'k'] }); });
  }
  parentPort.postMessage({ type: 'done', rate: n / ((performance.now() - start) / 1000) });
}`;

/**
 * A bare worker answering like the host: `run(n)` gives round trips per second. One worker for
 * every run, as the SDK side keeps one warm container: a fresh worker per run would measure an
 * uncompiled loop against a warm function.
 */
function rawRoundTripper(): { run(n: number): Promise<number>; close(): Promise<number> } {
  const worker = new Worker(RAW_WORKER, { eval: true });
  const body = Buffer.alloc(1024, 7);
  let done: (rate: number) => void = () => undefined;
  worker.on('message', (m: { type: string; id?: number; rate?: number }) => {
    if (m.type === 'q') {
      worker.postMessage({
        type: 'r',
        id: m.id,
        result: { body, eTag: 'x', size: 1024, lastModified: new Date() },
      });
    } else {
      done(m.rate ?? 0);
    }
  });
  return {
    run: (n) =>
      new Promise((resolve) => {
        done = resolve;
        worker.postMessage({ type: 'go', n });
      }),
    close: () => worker.terminate(),
  };
}

export const sdkBenchmark: Benchmark = {
  name: 'sdk',
  async run(): Promise<Figure[]> {
    const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-sdk-'));
    const engine = await createEngine({ quotas: { timeoutMaxSec: 900 } });
    const rawTrips = rawRoundTripper();
    try {
      await writeFile(join(dir, 'index.mjs'), HANDLER);
      await engine.buckets.create('bench');
      await engine.buckets.putObject('bench', 'k', Buffer.alloc(1024, 7));
      const { arn } = await engine.iam.createRole({
        name: 'bench',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
        policies: {
          logs: EXECUTION_LOGS_POLICY,
          read: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bench/*' }],
          },
        },
      });
      await engine.functions.create({
        name: 'reader',
        handler: 'index.handler',
        code: { directory: dir },
        role: arn,
        timeoutSec: 900,
      });
      // Alternating, after one untimed repetition of each side (N calls each: the same warm-up).
      const runs = await interleaved(RUNS, {
        direct: () =>
          rate(N, async () => {
            for (let i = 0; i < N; i++) await engine.buckets.getObject('bench', 'k');
          }),
        raw: () => rawTrips.run(N),
        viaSdk: async () => {
          const { payload, functionError } = await engine.functions.invoke('reader', { n: N });
          if (functionError) throw new Error(`benchmark function failed: ${JSON.stringify(payload)}`);
          return Number(payload);
        },
      });
      const [direct, raw, viaSdk] = [runs.direct.median, runs.raw.median, runs.viaSdk.median];
      return [
        {
          name: 'sdk buckets.getObject 1 KiB from a function',
          value: viaSdk,
          unit: 'calls/s',
          baselineName: 'engine.buckets.getObject 1 KiB from the host',
          baselineValue: direct,
          higherIsBetter: true,
        },
        {
          name: 'sdk buckets.getObject 1 KiB from a function',
          value: viaSdk,
          unit: 'calls/s',
          baselineName: 'raw worker round trip, same arguments, 1 KiB result',
          baselineValue: raw,
          higherIsBetter: true,
        },
      ];
    } finally {
      await rawTrips.close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
