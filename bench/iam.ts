/**
 * Policy evaluation cost per SDK call. Figures: evaluate() of a typical execution role (logs:*,
 * s3:PutObject on a prefix, a conditional Deny) and Authorizer.authorizeRole (role lookup, global
 * context keys, evaluation), each against a trivial baseline measured in the same run: a
 * hand-written check (Set lookup of the action plus startsWith on the resource).
 */
import { createEngine } from '../src/engine.js';
import { evaluate } from '../src/iam/evaluate.js';
import { parsePolicy } from '../src/iam/parse.js';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../src/iam/seed-policies.js';
import type { NamedPolicy } from '../src/iam/types.js';
import { internalsOf } from '../src/internal.js';
import type { Benchmark, Figure } from './harness.js';
import { interleaved, rate } from './harness.js';

const N = 200_000;
const RUNS = 5;
const RESOURCE = 'arn:aws:s3:::photos/thumbnails/2014/11/13/a.png';

const THUMBS = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Thumbs',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: 'arn:aws:s3:::photos/thumbnails/*',
    },
    {
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

function baseline(): number {
  const actions = new Set(['s3:putobject', 's3:getobject']);
  let allowed = 0;
  return (() => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      if (actions.has('s3:PutObject'.toLowerCase()) && RESOURCE.startsWith('arn:aws:s3:::photos/thumbnails/'))
        allowed++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (allowed !== N) throw new Error('baseline check failed');
    return N / seconds;
  })();
}

export const iamBenchmark: Benchmark = {
  name: 'iam',
  async run(): Promise<Figure[]> {
    const policies: NamedPolicy[] = [
      { name: 'logs', policy: parsePolicy(EXECUTION_LOGS_POLICY) },
      { name: 'thumbs', policy: parsePolicy(THUMBS) },
    ];
    const context = {
      'aws:SecureTransport': true,
      'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/exec',
    };
    const engine = await createEngine();
    let runs: Record<'base' | 'evaluated' | 'authorized', { median: number }>;
    try {
      const { arn } = await engine.iam.createRole({
        name: 'exec',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
        policies: { logs: EXECUTION_LOGS_POLICY, thumbs: THUMBS },
      });
      const ctx = { 'aws:SecureTransport': true };
      // Alternating, after one untimed repetition of each (the same N checks), so every side is
      // compiled before it is measured.
      runs = await interleaved(RUNS, {
        base: async () => baseline(),
        evaluated: () =>
          rate(N, async () => {
            for (let i = 0; i < N; i++) {
              if (
                evaluate(policies, undefined, { action: 's3:PutObject', resource: RESOURCE, context })
                  .decision !== 'Allow'
              ) {
                throw new Error('evaluate() did not allow');
              }
            }
          }),
        authorized: () =>
          rate(N, async () => {
            for (let i = 0; i < N; i++) {
              const r = await internalsOf(engine).authorizer.authorizeRole(
                arn,
                's3:PutObject',
                RESOURCE,
                ctx,
              );
              if (r.decision !== 'Allow') throw new Error('authorizeRole did not allow');
            }
          }),
      });
    } finally {
      await engine.close();
    }
    const base = runs.base.median;
    const evaluated = runs.evaluated.median;
    const authorized = runs.authorized.median;
    const common = {
      unit: 'checks/s',
      baselineName: 'hand-written check',
      baselineValue: base,
      higherIsBetter: true,
    };
    return [
      { name: 'evaluate() execution role (3 statements)', value: evaluated, ...common },
      { name: 'authorizeRole() same role via engine', value: authorized, ...common },
    ];
  },
};
