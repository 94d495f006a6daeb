import { describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY } from '../../src/iam/seed-policies.js';
import { simulate } from '../../src/iam/simulate.js';
import { openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { ensureRole } from '../helpers/iam.js';
import { allow, decide, policy } from './helpers.js';

// Inputs on which the old RegExp translation (`*` -> `[^:]*`) backtracked for seconds to minutes
// (15 s for five stars and a 200-byte key; thirty stars are beyond patience). Each test here
// finishes within vitest's default timeout only because matching is linear; the step counts
// themselves are asserted in test/wildcard.test.ts.
const THIRTY_STARS = `arn:aws:s3:::photos/${'*/'.repeat(30)}*.jpg`;
const LONG_KEY = `${'a/'.repeat(297)}x.png`; // 599 bytes, 297 slashes: never ends in .jpg

describe('policy matching on adversarial patterns', () => {
  it('simulates a five-star resource against a 200-byte key that does not match', () => {
    const doc = policy(allow('s3:GetObject', 'arn:aws:s3:::photos/*/*/*/*/*.jpg'));
    const resource = `arn:aws:s3:::photos/${'a/'.repeat(98)}x.png`;
    expect(decide(doc, 's3:GetObject', resource)).toBe('ImplicitDeny');
    expect(decide(doc, 's3:GetObject', `arn:aws:s3:::photos/${'a/'.repeat(98)}x.jpg`)).toBe('Allow');
  });

  it('simulates a thirty-star resource, action and StringLike condition against long inputs', () => {
    const result = simulate({
      policies: [
        policy(allow('s3:GetObject', THIRTY_STARS)),
        policy(allow(`s3:${'*G'.repeat(30)}*x`, '*')),
        policy(
          allow('s3:GetObject', '*', {
            Condition: { StringLike: { 's3:prefix': `${'*/'.repeat(30)}*.jpg` } },
          }),
        ),
      ],
      action: 's3:GetObject',
      resource: `arn:aws:s3:::photos/${LONG_KEY}`,
      context: { 's3:prefix': LONG_KEY },
    });
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.matchedStatements).toEqual([]);
  });

  it('answers a function putObject with a 600-byte key under a thirty-star role at once, allowing what matches', async () => {
    const engine = await openEngine('memory');
    const role = await ensureRole(engine, 'stars', {
      logs: EXECUTION_LOGS_POLICY,
      s3: policy(allow('s3:PutObject', THIRTY_STARS)),
    });
    await engine.buckets.create('photos');
    await createFixture(engine, 'caller', 'sdk.call', { role });
    const put = (key: string) =>
      engine.functions.invoke('caller', {
        service: 'buckets',
        method: 'putObject',
        args: ['photos', key, 'x'],
      });

    expect((await put(LONG_KEY)).payload).toMatchObject({ ok: false, code: 'AccessDenied' });
    await expectCode(engine.buckets.headObject('photos', LONG_KEY), 'NoSuchKey');
    const allowedKey = `${'a/'.repeat(297)}x.jpg`;
    expect((await put(allowedKey)).payload).toMatchObject({ ok: true });
    expect((await engine.buckets.getObject('photos', allowedKey)).body.toString()).toBe('x');
  });
});
