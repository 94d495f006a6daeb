import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { expectCode } from '../helpers/errors.js';
import { FIXTURES, ROLE } from '../helpers/functions.js';

describe('function configuration is refused with a message naming the option and rule', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine();
  });
  afterAll(() => engine.close());

  const base = { name: 'f', handler: 'styles.asyncHandler', code: { directory: FIXTURES }, role: ROLE };
  const refuse = (overrides: Record<string, unknown>, text: RegExp) =>
    expectCode(
      engine.functions.create({ ...base, ...overrides } as typeof base),
      'InvalidParameterValueException',
      text,
    );

  it('refuses a name outside 1-64 characters of [a-zA-Z0-9-_]', async () => {
    await refuse(
      { name: 'has space' },
      /options.name must be 1-64 characters of \[a-zA-Z0-9-_\], got "has space"/,
    );
    await refuse({ name: 'x'.repeat(65) }, /options.name must be 1-64 characters/);
    await refuse({ name: '' }, /options.name must be a function name or ARN/);
  });

  it('accepts a function ARN of this region and account as the name, and refuses one of another region', async () => {
    const created = await engine.functions.create({
      ...base,
      name: 'arn:aws:lambda:us-east-1:000000000000:function:by-arn',
    });
    expect(created.functionName).toBe('by-arn');
    expect((await engine.functions.get('000000000000:function:by-arn')).functionName).toBe('by-arn');
    await refuse(
      { name: 'arn:aws:lambda:eu-west-1:000000000000:function:elsewhere' },
      /options.name names a function in region eu-west-1; this engine is in us-east-1/,
    );
    await refuse(
      { name: 'arn:aws:lambda:us-east-1:111111111111:function:theirs' },
      /options.name names a function in account 111111111111/,
    );
  });

  it("refuses a handler that is not 'path/file.export'", async () => {
    await refuse(
      { handler: 'noexport' },
      /options.handler must look like 'path\/file.export'.*got "noexport"/,
    );
  });

  it('refuses memory that is not a multiple of the step within the bounds', async () => {
    await refuse(
      { memoryMb: 100 },
      /^options.memoryMb must be a multiple of 64 between 128 and 1024, got 100$/,
    );
    await refuse({ memoryMb: 1088 }, /got 1088/);
    await refuse({ memoryMb: 64 }, /got 64/);
  });

  it('refuses a timeout that is not whole seconds between 1 and the maximum', async () => {
    await refuse({ timeoutSec: 0 }, /^options.timeoutSec must be whole seconds between 1 and 60, got 0$/);
    await refuse({ timeoutSec: 61 }, /got 61/);
    await refuse({ timeoutSec: 1.5 }, /got 1.5/);
  });

  it('refuses a role that is not an IAM role ARN', async () => {
    await refuse({ role: 'admin' }, /options.role must be an IAM role ARN.*got "admin"/);
    await refuse({ role: 'arn:aws:iam::000000000000:user/bob' }, /options.role must be an IAM role ARN/);
  });

  it('refuses environment variables over the size quota', async () => {
    await refuse(
      { environment: { BIG: 'x'.repeat(4096) } },
      /options.environment must total at most 4096 bytes.*got 4099/,
    );
  });

  it('refuses reserved environment variable names', async () => {
    await refuse(
      { environment: { AWS_REGION: 'eu-west-1' } },
      /options.environment may not set AWS_REGION: Lambda reserves it/,
    );
    await refuse({ environment: { _HANDLER: 'x' } }, /may not set _HANDLER/);
  });

  it('refuses a non-string environment value and a malformed key', async () => {
    await refuse({ environment: { N: 1 } }, /options.environment.N must be a string, got 1/);
    await refuse({ environment: { '1A': 'x' } }, /options.environment key must start with a letter/);
  });

  it('refuses a negative reserved concurrency', async () => {
    await refuse(
      { reservedConcurrency: -1 },
      /options.reservedConcurrency must be an integer between 0 and 1000, got -1/,
    );
  });

  it('refuses a description over 256 characters', async () => {
    await refuse(
      { description: 'd'.repeat(257) },
      /options.description must be a string of at most 256 characters/,
    );
  });

  it('refuses code that is missing or of no known kind', async () => {
    await refuse(
      { code: { file: `${FIXTURES}nothere.mjs` } },
      /options.code.file '.*nothere.mjs' is not a file/,
    );
    await refuse(
      { code: { directory: `${FIXTURES}styles.mjs` } },
      /options.code.directory '.*' is not a directory/,
    );
    await refuse({ code: {} }, /options.code must be \{ file \}, \{ directory \} or \{ zipFile \}/);
  });

  it('takes bounds from the engine quotas, so they can be raised to today', async () => {
    const today = await createEngine({ quotas: { memoryMaxMb: 10240, memoryStepMb: 1, timeoutMaxSec: 900 } });
    try {
      const config = await today.functions.create({ ...base, memoryMb: 10000, timeoutSec: 900 });
      expect([config.memorySize, config.timeout]).toEqual([10000, 900]);
    } finally {
      await today.close();
    }
  });

  it('writes nothing when refused', async () => {
    await refuse({ name: 'refused', memoryMb: 100 }, /memoryMb/);
    await expectCode(engine.functions.get('refused'), 'ResourceNotFoundException');
  });
});
