import { readFile } from 'node:fs/promises';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { FIXTURES, ROLE } from '../helpers/functions.js';

const encoder = new TextEncoder();
const zipOf = (files: Record<string, string>): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, encoder.encode(v)]))));
const handlerZip = (answer: string): Buffer =>
  zipOf({
    'src/app.mjs': `import { value } from './lib/value.mjs'; export const main = async () => value + ${JSON.stringify(answer)};`,
    'src/lib/value.mjs': "export const value = 'zip:';",
  });

describe.each(BACKEND_KINDS)('function registry (%s)', (kind) => {
  it('creates a function and reports its configuration as Lambda does', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 4, 5, 6, 7, 8));
    const engine = await openEngine(kind, { clock });
    const file = `${FIXTURES}styles.mjs`;
    const config = await engine.functions.create({
      name: 'styles',
      handler: 'styles.asyncHandler',
      code: { file },
      role: ROLE,
      description: 'echoes',
    });
    const { createHash } = await import('node:crypto');
    const bytes = await readFile(file);
    expect(config).toMatchObject({
      functionName: 'styles',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:styles',
      runtime: expect.stringMatching(/^nodejs\d+\.x$/),
      handler: 'styles.asyncHandler',
      codeSha256: createHash('sha256').update(bytes).digest('base64'),
      codeSize: bytes.length,
      codeSource: 'file',
      description: 'echoes',
      memorySize: 128,
      timeout: 3,
      role: ROLE,
      environment: {},
      lastModified: '2026-03-04T05:06:07.008+0000',
      version: '$LATEST',
      state: 'Active',
    });
    expect(await engine.functions.get('styles')).toEqual(config);
    expect((await engine.functions.list()).map((f) => f.functionName)).toEqual(['styles']);
  });

  it('refuses a duplicate with ResourceConflictException and an unknown name with a 404 ResourceNotFoundException', async () => {
    const engine = await openEngine(kind);
    const options = { name: 'dup', handler: 'styles.env', code: { directory: FIXTURES }, role: ROLE };
    await engine.functions.create(options);
    await expectCode(engine.functions.create(options), 'ResourceConflictException', /dup/);
    const missing = await expectCode(
      engine.functions.get('ghost'),
      'ResourceNotFoundException',
      /function:ghost/,
    );
    expect(missing.statusCode).toBe(404);
    await expectCode(engine.functions.invoke('ghost'), 'ResourceNotFoundException');
    await expectCode(engine.functions.delete('ghost'), 'ResourceNotFoundException');
    await expectCode(engine.functions.update('ghost', { timeoutSec: 5 }), 'ResourceNotFoundException');
  });

  it('updates configuration and code, and forgets a deleted function', async () => {
    const engine = await openEngine(kind);
    await engine.functions.create({
      name: 'u',
      handler: 'styles.env',
      code: { directory: FIXTURES },
      role: ROLE,
    });
    const updated = await engine.functions.update('u', {
      memoryMb: 256,
      timeoutSec: 10,
      environment: { A: '1' },
      reservedConcurrency: 3,
    });
    expect(updated).toMatchObject({
      memorySize: 256,
      timeout: 10,
      environment: { A: '1' },
      reservedConcurrency: 3,
    });
    const uncapped = await engine.functions.update('u', { reservedConcurrency: null });
    expect(uncapped.reservedConcurrency).toBeUndefined();
    await expectCode(
      engine.functions.update('u', { memoryMb: 100 }),
      'InvalidParameterValueException',
      /memoryMb/,
    );
    expect((await engine.functions.get('u')).memorySize).toBe(256);
    await engine.functions.delete('u');
    await expectCode(engine.functions.get('u'), 'ResourceNotFoundException');
    expect(await engine.functions.list()).toEqual([]);
  });

  it('stores a zip, reports its base64 SHA-256 and size, and runs code from it', async () => {
    const engine = await openEngine(kind);
    const zip = handlerZip('one');
    const config = await engine.functions.create({
      name: 'zipped',
      handler: 'src/app.main',
      code: { zipFile: zip },
      role: ROLE,
    });
    const { createHash } = await import('node:crypto');
    expect(config.codeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    expect(config.codeSize).toBe(zip.length);
    expect(config.codeSource).toBe('zip');
    expect((await engine.functions.invoke('zipped')).payload).toBe('zip:one');
    await engine.functions.update('zipped', { code: { zipFile: handlerZip('two') } });
    expect((await engine.functions.invoke('zipped')).payload).toBe('zip:two');
  });

  it('refuses a bad zip with InvalidZipFileException', async () => {
    const engine = await openEngine(kind);
    await expectCode(
      engine.functions.create({
        name: 'bad',
        handler: 'a.b',
        code: { zipFile: Buffer.from('not a zip') },
        role: ROLE,
      }),
      'InvalidZipFileException',
      /Could not unzip uploaded file/,
    );
    await expectCode(
      engine.functions.create({
        name: 'bad',
        handler: 'a.b',
        code: { zipFile: zipOf({ '../evil.js': 'x' }) },
        role: ROLE,
      }),
      'InvalidZipFileException',
      /outside the package/,
    );
  });

  it('stores, returns and removes resource policy statements, refusing a duplicate sid', async () => {
    const engine = await openEngine(kind);
    await engine.functions.create({
      name: 'p',
      handler: 'styles.env',
      code: { directory: FIXTURES },
      role: ROLE,
    });
    await expectCode(engine.functions.getPolicy('p'), 'ResourceNotFoundException');
    const { statement } = await engine.functions.addPermission('p', {
      statementId: 's3-invoke',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: 'arn:aws:s3:::photos',
      sourceAccount: '000000000000',
    });
    expect(statement).toEqual({
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:p',
      Condition: {
        StringEquals: { 'AWS:SourceAccount': '000000000000' },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' },
      },
    });
    await expectCode(
      engine.functions.addPermission('p', {
        statementId: 's3-invoke',
        action: 'lambda:*',
        principal: '111111111111',
      }),
      'ResourceConflictException',
      /s3-invoke/,
    );
    await expectCode(
      engine.functions.addPermission('p', { statementId: 'bad sid', action: 'lambda:*', principal: 'x' }),
      'InvalidParameterValueException',
      /options.statementId/,
    );
    expect(await engine.functions.getPolicy('p')).toEqual({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [statement],
    });
    await engine.functions.removePermission('p', 's3-invoke');
    await expectCode(engine.functions.removePermission('p', 's3-invoke'), 'ResourceNotFoundException');
    await expectCode(engine.functions.getPolicy('p'), 'ResourceNotFoundException');
  });
});

describe('function registry on disk', () => {
  it('keeps functions, zip code and policies across a reopen', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    await first.functions.create({
      name: 'kept',
      handler: 'src/app.main',
      code: { zipFile: handlerZip('kept') },
      role: ROLE,
    });
    await first.functions.addPermission('kept', {
      statementId: 'a',
      action: 'lambda:InvokeFunction',
      principal: '000000000000',
    });
    const config = await first.functions.get('kept');
    await first.close();
    const second = await createEngine({ location });
    try {
      expect(await second.functions.get('kept')).toEqual(config);
      expect((await second.functions.getPolicy('kept')).Statement).toHaveLength(1);
      expect((await second.functions.invoke('kept')).payload).toBe('zip:kept');
    } finally {
      await second.close();
    }
  });
});
