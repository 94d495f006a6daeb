import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { createFixture, FIXTURES, ROLE } from '../helpers/functions.js';

describe('handler styles in real workers', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine();
    await createFixture(engine, 'async', 'styles.asyncHandler');
    await createFixture(engine, 'promise', 'styles.promiseHandler');
    await createFixture(engine, 'callback', 'styles.callbackHandler');
    await createFixture(engine, 'callback-error', 'styles.callbackError');
    await createFixture(engine, 'undefined', 'styles.returnsUndefined');
    for (const style of ['succeed', 'fail', 'done']) {
      await engine.functions.create({
        name: `legacy-${style}`,
        handler: `index.${style}`,
        code: { directory: `${FIXTURES}legacy` },
        role: ROLE,
      });
    }
  });
  afterAll(() => engine.close());

  it('runs an async handler and hands it Lambda context', async () => {
    const result = await engine.functions.invoke('async', { hello: 'world' });
    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBeUndefined();
    expect(result.executedVersion).toBe('$LATEST');
    const payload = result.payload as Record<string, unknown>;
    expect(payload.echo).toEqual({ hello: 'world' });
    expect(payload).toMatchObject({
      functionName: 'async',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:async',
      memoryLimitInMB: '128',
      awsRequestId: result.requestId,
      logGroupName: '/aws/lambda/async',
    });
    expect(payload.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(payload.remainingMs).toBeGreaterThan(2000);
    expect(payload.remainingMs).toBeLessThanOrEqual(3000);
  });

  it('runs a handler that returns a promise', async () => {
    expect((await engine.functions.invoke('promise', { n: 21 })).payload).toEqual({ doubled: 42 });
  });

  it('runs a callback handler and reports a callback error in AWS shape', async () => {
    expect((await engine.functions.invoke('callback', { n: 7 })).payload).toEqual({ via: 'callback', n: 7 });
    const failed = await engine.functions.invoke('callback-error', {});
    expect(failed.functionError).toBe('Unhandled');
    expect(failed.payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect((failed.payload as { trace: string[] }).trace[0]).toBe('TypeError: bad input');
  });

  it('answers null when the handler returns undefined', async () => {
    expect((await engine.functions.invoke('undefined')).payload).toBeNull();
  });

  it('runs the 2014 CommonJS style: context.succeed, context.fail and context.done', async () => {
    expect((await engine.functions.invoke('legacy-succeed', { a: 1 })).payload).toEqual({
      legacy: true,
      got: { a: 1 },
    });
    const failed = await engine.functions.invoke('legacy-fail');
    expect(failed.functionError).toBe('Unhandled');
    expect(failed.payload).toMatchObject({ errorType: 'Error', errorMessage: 'legacy failure' });
    expect((await engine.functions.invoke('legacy-done', { n: 3 })).payload).toEqual({ done: 3 });
  });
});
