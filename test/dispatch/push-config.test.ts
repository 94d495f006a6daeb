import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { openEngine, STORAGE_KINDS, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:sink';

describe.each(STORAGE_KINDS)('event invoke config (%s)', (kind) => {
  it('stores a config with defaults for omitted fields, and replaces it on put', async () => {
    const engine = await openEngine(kind);
    const config = await engine.asyncInvocations.putEventInvokeConfig('fn', { onFailure: FN });
    expect(config).toMatchObject({
      functionName: 'fn',
      maximumRetryAttempts: 2,
      maximumEventAgeSec: 21_600,
      onFailure: FN,
    });
    await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts: 0 });
    const stored = await engine.asyncInvocations.getEventInvokeConfig('fn');
    expect(stored.maximumRetryAttempts).toBe(0);
    expect(stored.onFailure).toBeUndefined();
  });

  it('deletes a config, and answers ResourceNotFoundException for a function without one', async () => {
    const engine = await openEngine(kind);
    await expectCode(engine.asyncInvocations.getEventInvokeConfig('fn'), 'ResourceNotFoundException', /fn/);
    await engine.asyncInvocations.putEventInvokeConfig('fn', {});
    await engine.asyncInvocations.deleteEventInvokeConfig('fn');
    await expectCode(engine.asyncInvocations.getEventInvokeConfig('fn'), 'ResourceNotFoundException', /fn/);
    await expectCode(engine.asyncInvocations.deleteEventInvokeConfig('fn'), 'ResourceNotFoundException');
  });

  it('refuses maximumRetryAttempts outside 0..quota, naming the option and value', async () => {
    const engine = await openEngine(kind);
    const put = (maximumRetryAttempts: number) =>
      engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts });
    await expectCode(
      put(3),
      'InvalidParameterValueException',
      /maximumRetryAttempts .*between 0 and 2, got 3/,
    );
    await expectCode(put(-1), 'InvalidParameterValueException', /maximumRetryAttempts.*-1/);
    await expectCode(put(1.5), 'InvalidParameterValueException', /maximumRetryAttempts.*1\.5/);
  });

  it('lets the asyncMaxRetryAttempts quota raise the retry ceiling', async () => {
    const engine = await openEngine(kind, { quotas: { asyncMaxRetryAttempts: 5 } });
    const config = await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts: 5 });
    expect(config.maximumRetryAttempts).toBe(5);
  });

  it('refuses maximumEventAgeSec outside 60..21600', async () => {
    const engine = await openEngine(kind);
    const put = (maximumEventAgeSec: number) =>
      engine.asyncInvocations.putEventInvokeConfig('fn', { maximumEventAgeSec });
    await expectCode(
      put(59),
      'InvalidParameterValueException',
      /maximumEventAgeSec .*between 60 and 21600, got 59/,
    );
    await expectCode(put(21_601), 'InvalidParameterValueException', /maximumEventAgeSec.*21601/);
  });

  it('refuses destinations that are not a function, stream or bucket of this engine', async () => {
    const engine = await openEngine(kind);
    const put = (config: { onSuccess?: string; onFailure?: string }) =>
      engine.asyncInvocations.putEventInvokeConfig('fn', config);
    await expectCode(
      put({ onSuccess: 'arn:aws:s3:::bucket' }),
      'InvalidParameterValueException',
      /onSuccess cannot be an S3 bucket/,
    );
    await expectCode(
      put({ onFailure: 'arn:aws:lambda:eu-west-1:000000000000:function:sink' }),
      'InvalidParameterValueException',
      /onFailure must be in this engine's region us-east-1/,
    );
    await expectCode(
      put({ onFailure: 'arn:aws:sqs:us-east-1:000000000000:queue' }),
      'InvalidParameterValueException',
      /onFailure/,
    );
    await expectCode(put({ onFailure: 'sink' }), 'InvalidParameterValueException', /onFailure.*"sink"/);
    await expectCode(
      engine.asyncInvocations.putEventInvokeConfig('fn', { retries: 1 } as never),
      'InvalidParameterValueException',
      /config.retries is not a known option/,
    );
    await expectCode(engine.asyncInvocations.getEventInvokeConfig('fn'), 'ResourceNotFoundException');
  });
});

describe('event invoke config on disk', () => {
  it('survives a close and reopen', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    await first.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts: 1, onFailure: FN });
    await first.close();
    const second = await createEngine({ location });
    try {
      expect(await second.asyncInvocations.getEventInvokeConfig('fn')).toMatchObject({
        maximumRetryAttempts: 1,
        onFailure: FN,
      });
    } finally {
      await second.close();
    }
  });
});

describe('asyncInvocation engine options', () => {
  it('refuses a malformed option, naming it', async () => {
    await expectCode(
      createEngine({ asyncInvocation: { maxConcurrency: 0 } }),
      'InvalidArgument',
      /options\.asyncInvocation\.maxConcurrency must be an integer >= 1, got 0/,
    );
    await expectCode(
      createEngine({ asyncInvocation: { functionErrorDelaysMs: [-1] } }),
      'InvalidArgument',
      /options\.asyncInvocation\.functionErrorDelaysMs/,
    );
  });
});
