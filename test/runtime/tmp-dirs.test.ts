/**
 * Containers' /tmp directories carry their host and process id, so one left by a process killed
 * outright is removed by the next engine on the host, and one of a live process or of another
 * host never is.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { HOST_TAG, pruneStaleTmpDirs } from '../../src/runtime/tmp-dirs.js';
import { onCleanup, openEngine, tempDir } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { internals } from '../helpers/harness.js';

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('child did not start');
  return child.pid;
}

async function leftBehind(root: string, pid: number, suffix: string, host = HOST_TAG): Promise<string> {
  const dir = join(root, `lambdalite-tmp-${host}-${pid}-${suffix}`);
  await mkdir(dir);
  await writeFile(join(dir, 'scratch'), 'x');
  return dir;
}

describe("containers' /tmp directories", () => {
  it('are removed when their process is gone, kept while it runs or when of another host', async () => {
    const root = await tempDir();
    const dead = await deadPid();
    await leftBehind(root, dead, 'dead01');
    await leftBehind(root, dead, 'away01', '0badc0de');
    await leftBehind(root, process.pid, 'self01');
    await leftBehind(root, process.ppid, 'live01');
    await mkdir(join(root, 'lambdalite-tmp-AbC123'));
    await mkdir(join(root, 'unrelated'));
    expect(await pruneStaleTmpDirs(root)).toBe(1);
    expect((await readdir(root)).sort()).toEqual(
      [
        `lambdalite-tmp-0badc0de-${dead}-away01`,
        `lambdalite-tmp-${HOST_TAG}-${process.pid}-self01`,
        `lambdalite-tmp-${HOST_TAG}-${process.ppid}-live01`,
        'lambdalite-tmp-AbC123',
        'unrelated',
      ].sort(),
    );
  });

  it('are named after the engine process, and pruned by the next engine to open', async () => {
    const stale = await leftBehind(tmpdir(), await deadPid(), 'stale1');
    onCleanup(() => rm(stale, { recursive: true, force: true }));
    const engine = await createEngine();
    await engine.close();
    expect((await readdir(tmpdir())).includes(basename(stale))).toBe(false);

    const running = await openEngine('memory');
    await createFixture(running, 'gated', 'gate.handler');
    await running.functions.invoke('gated', { n: 1 });
    const [container] = internals(running).runtime.pool.containers('gated');
    expect(basename(container?.tmpDir ?? '')).toMatch(
      new RegExp(`^lambdalite-tmp-${HOST_TAG}-${process.pid}-`),
    );
  });
});
