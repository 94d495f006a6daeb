import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeMentionsSdk } from '../../src/runtime/sdk/scan.js';
import { tempDir } from '../helpers/engines.js';

describe('codeMentionsSdk (decides whether a container registers the ESM hook)', () => {
  it('answers no for code that never names lambdalite/sdk, even if a dependency does', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.mjs'), 'export const handler = async () => 1;\n');
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(root, 'node_modules', 'dep', 'index.js'), "require('lambdalite/sdk');\n");
    expect(await codeMentionsSdk(root)).toBe(false);
  });

  it('answers yes when any source file below the root imports it, ESM or CJS', async () => {
    const esm = await tempDir();
    await mkdir(join(esm, 'lib'));
    await writeFile(join(esm, 'index.mjs'), "import { s } from './lib/s.mjs';\nexport const handler = s;\n");
    await writeFile(
      join(esm, 'lib', 's.mjs'),
      "import { buckets } from 'lambdalite/sdk';\nexport const s = buckets;\n",
    );
    expect(await codeMentionsSdk(esm)).toBe(true);
    const cjs = await tempDir();
    await writeFile(join(cjs, 'index.cjs'), "const { tables } = require('lambdalite/sdk');\n");
    expect(await codeMentionsSdk(cjs)).toBe(true);
  });

  it('answers yes when the code cannot be read, so an import never fails for want of the hook', async () => {
    expect(await codeMentionsSdk('/nonexistent/lambdalite-code')).toBe(true);
  });
});
