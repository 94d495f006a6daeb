/**
 * The S3 delivery check under a function's resource policy, which runs before every delivery:
 * its answers are kept per policy document and bucket, so a changed policy (a new document) is
 * evaluated afresh, and a document with a time condition is evaluated every time.
 */
import { describe, expect, it, vi } from 'vitest';
import { Arns } from '../../src/arn.js';
import { InvocationChecks } from '../../src/iam/invocation-checks.js';
import { ManualClock } from '../../src/index.js';
import { openEngine } from '../helpers/engines.js';
import { internals } from '../helpers/harness.js';

const ACCOUNT = '000000000000';
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;

function allowS3From(bucket: string, condition: Record<string, unknown> = {}): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: `s3-${bucket}`,
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: FUNCTION,
        Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${bucket}` }, ...condition },
      },
    ],
  };
}

async function checksWith(clock?: ManualClock) {
  const engine = await openEngine('memory', clock ? { clock } : {});
  const authorizer = internals(engine).authorizer;
  const evaluations = vi.spyOn(authorizer, 'evaluateResourcePolicy');
  let policy: object | undefined;
  const checks = new InvocationChecks(
    authorizer,
    new Arns('us-east-1', ACCOUNT),
    ACCOUNT,
    async () => policy,
  );
  return {
    checks,
    evaluations,
    use: (document: object | undefined) => {
      policy = document;
    },
    /** The refusal's reason, undefined when allowed. */
    deliver: async (bucket: string) => {
      const verdict = await checks.s3Delivery({ functionName: 'f', bucket });
      return verdict.allowed ? undefined : verdict.reason;
    },
  };
}

describe('S3 delivery checks under a resource policy', () => {
  it('answer from the last evaluation while the document and bucket are the same', async () => {
    const { use, deliver, evaluations } = await checksWith();
    const photos = allowS3From('photos');
    use(photos);
    expect(await deliver('photos')).toBeUndefined();
    expect(await deliver('photos')).toBeUndefined();
    expect(await deliver('other')).toMatch(
      /does not allow s3.amazonaws.com .* for source arn:aws:s3:::other/,
    );
    expect(await deliver('other')).toMatch(/for source arn:aws:s3:::other/);
    expect(evaluations).toHaveBeenCalledTimes(2);

    // A changed policy is a new document: evaluated afresh.
    use(allowS3From('other'));
    expect(await deliver('photos')).toMatch(/for source arn:aws:s3:::photos/);
    expect(await deliver('other')).toBeUndefined();
    use(undefined);
    expect(await deliver('other')).toMatch(/does not allow/);
    use(photos);
    expect(await deliver('photos')).toBeUndefined();
    expect(evaluations).toHaveBeenCalledTimes(4);
  });

  it('evaluate a document with a time condition every time', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const { use, deliver, evaluations } = await checksWith(clock);
    use(allowS3From('photos', { DateLessThan: { 'aws:CurrentTime': '2026-01-02T00:00:00Z' } }));
    expect(await deliver('photos')).toBeUndefined();
    clock.advance(24 * 3600 * 1000);
    expect(await deliver('photos')).toMatch(/does not allow/);
    expect(evaluations).toHaveBeenCalledTimes(2);
  });
});
