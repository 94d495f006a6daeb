import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { ensureLogsRole } from '../helpers/iam.js';

const HANDLER = new TextEncoder().encode('export const handler = async () => "ok";\n');
const ROLE = 'arn:aws:iam::000000000000:role/zip-test';

/** A zip whose central directory declares `size` unpacked bytes for its only entry (a liar). */
function declaring(size: number): Buffer {
  const zip = Buffer.from(zipSync({ 'index.mjs': HANDLER }));
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(size, central + 24);
  return zip;
}

describe('zip packages that reach outside or blow up are refused, and nothing is created', () => {
  const cases: Array<[string, Buffer, string]> = [
    [
      'an absolute path',
      Buffer.from(zipSync({ 'index.mjs': HANDLER, '/etc/cron.d/x': HANDLER })),
      'outside the package',
    ],
    [
      'a .. entry',
      Buffer.from(zipSync({ 'index.mjs': HANDLER, '../../escape.mjs': HANDLER })),
      'outside the package',
    ],
    [
      'a .. inside a path',
      Buffer.from(zipSync({ 'index.mjs': HANDLER, 'lib/../../x': HANDLER })),
      'outside the package',
    ],
    [
      'a symbolic link',
      Buffer.from(
        zipSync({
          'index.mjs': HANDLER,
          'passwd.mjs': [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
        }),
      ),
      "entry 'passwd.mjs' is a symbolic link",
    ],
    ['a NUL in a name', Buffer.from(zipSync({ 'index.mjs': HANDLER, 'a\0b': HANDLER })), 'NUL'],
    ['a bomb (over 250 MB unpacked)', declaring(0xfffffff0), 'unzipped size exceeds'],
    ['bytes that are no zip', Buffer.from('PK\x03\x04 not really'), 'Could not unzip'],
  ];
  for (const [what, zipFile, message] of cases) {
    it(`refuses ${what}`, async () => {
      const engine = await openEngine();
      await ensureLogsRole(engine, 'zip-test');
      await expectCode(
        engine.functions.create({ name: 'zipped', handler: 'index.handler', code: { zipFile }, role: ROLE }),
        'InvalidZipFileException',
        message,
      );
      expect(await engine.functions.list()).toEqual([]);
    });
  }

  it('runs a well-formed package (the refusals above are about their entries)', async () => {
    const engine = await openEngine();
    await ensureLogsRole(engine, 'zip-test');
    const zipFile = Buffer.from(zipSync({ 'index.mjs': HANDLER, 'lib/util.mjs': HANDLER }));
    await engine.functions.create({
      name: 'zipped',
      handler: 'index.handler',
      code: { zipFile },
      role: ROLE,
    });
    expect((await engine.functions.invoke('zipped')).payload).toBe('ok');
  });
});
