import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNZIPPED_MAX_BYTES } from '../../src/functions/code.js';
import { measureDirectory } from '../../src/functions/code-directory.js';
import { openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { ensureLogsRole } from '../helpers/iam.js';

const ROLE = 'arn:aws:iam::000000000000:role/dir-test';
const LIMITS = { maxBytes: UNZIPPED_MAX_BYTES, maxEntries: 100_000 };

describe('code directories are measured with bounded work', () => {
  it('refuses a directory over the unzipped size from its files’ sizes, before reading them', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
    // A sparse file: its size is past the limit, its blocks are not on disk.
    await writeFile(join(dir, 'big.bin'), '');
    await truncate(join(dir, 'big.bin'), UNZIPPED_MAX_BYTES + 1);
    const engine = await openEngine();
    await ensureLogsRole(engine, 'dir-test');
    await expectCode(
      engine.functions.create({
        name: 'big',
        handler: 'index.handler',
        code: { directory: dir },
        role: ROLE,
      }),
      'InvalidParameterValueException',
      `unzipped size must be smaller than ${UNZIPPED_MAX_BYTES} bytes`,
    );
    expect(await engine.functions.list()).toEqual([]);
  });

  it('refuses the root directory with a coded error instead of walking the whole disk', async () => {
    const engine = await openEngine();
    await ensureLogsRole(engine, 'dir-test');
    const refused = await engine.functions
      .create({ name: 'root', handler: 'index.handler', code: { directory: '/' }, role: ROLE })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toMatchObject({ code: 'InvalidParameterValueException' });
    expect(await engine.functions.list()).toEqual([]);
  });

  it('stops at the entry limit, counting directories and files at every depth', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    for (const name of ['1', '2', '3']) await writeFile(join(dir, 'a', 'b', name), name);
    // dir holds a; a holds b; b holds 3 files: 5 entries.
    await expect(measureDirectory(dir, { ...LIMITS, maxEntries: 5 })).resolves.toMatchObject({ size: 3 });
    await expect(measureDirectory(dir, { ...LIMITS, maxEntries: 4 })).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('more than 4 entries'),
    });
  });

  it('hashes relative paths and contents in path order, so the same tree has the same hash anywhere', async () => {
    const [one, two] = [await tempDir(), await tempDir()];
    for (const root of [one, two]) {
      await mkdir(join(root, 'lib'));
      await writeFile(join(root, 'index.mjs'), 'x');
      await writeFile(join(root, 'lib', 'util.mjs'), 'yy');
    }
    const first = await measureDirectory(one, LIMITS);
    expect(first).toEqual(await measureDirectory(two, LIMITS));
    expect(first.size).toBe(3);
    await writeFile(join(two, 'lib', 'util.mjs'), 'yz');
    expect((await measureDirectory(two, LIMITS)).sha256).not.toBe(first.sha256);
  });
});
