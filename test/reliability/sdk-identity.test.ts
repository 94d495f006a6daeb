import { describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY } from '../../src/iam/seed-policies.js';
import { openEngine } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { ensureRole } from '../helpers/iam.js';

const WRITE_BOX = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sdk-box/*' }],
};

describe('the SDK channel speaks for its own container', () => {
  it("authorises each function's calls with its own role, even when both run at once", async () => {
    const engine = await openEngine();
    await engine.buckets.create('sdk-box');
    const writer = await ensureRole(engine, 'writer', { logs: EXECUTION_LOGS_POLICY, write: WRITE_BOX });
    const reader = await ensureRole(engine, 'reader', { logs: EXECUTION_LOGS_POLICY });
    await createFixture(engine, 'may-write', 'sdk.call', { role: writer, timeoutSec: 30 });
    await createFixture(engine, 'may-not', 'sdk.call', { role: reader, timeoutSec: 30 });
    const put = (key: string) => ({ service: 'buckets', method: 'putObject', args: ['sdk-box', key, 'x'] });
    const rounds = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        Promise.all([
          engine.functions.invoke('may-write', put(`w${i}`)),
          engine.functions.invoke('may-not', put(`n${i}`)),
        ]),
      ),
    );
    for (const [allowed, denied] of rounds) {
      expect(allowed?.payload).toMatchObject({ ok: true });
      expect(denied?.payload).toMatchObject({ ok: false, code: 'AccessDenied' });
      expect((denied?.payload as { message?: string } | undefined)?.message).toContain(
        'assumed-role/reader/may-not',
      );
    }
    const keys = (await engine.buckets.listObjects('sdk-box')).contents.map((o) => o.key);
    expect(keys).toEqual(['w0', 'w1', 'w2']);
  }, 120_000);
});
