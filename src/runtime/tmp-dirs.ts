/**
 * Containers' /tmp directories: `lambdalite-tmp-<pid>-<random>` in the system temp directory,
 * each removed when its container exits. A process killed outright (SIGKILL, a crash) cannot
 * remove its own; the next engine to open removes those whose process is gone.
 */
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OWNED = /^lambdalite-tmp-(\d+)-/;

/** A new private /tmp for a container of this process. */
export function makeTmpDir(): string {
  return mkdtempSync(join(tmpdir(), `lambdalite-tmp-${process.pid}-`));
}

/**
 * Removes the container directories left by processes that no longer run; returns how many.
 * Directories of this process and of live processes (other engines) are kept.
 */
export async function pruneStaleTmpDirs(root: string = tmpdir()): Promise<number> {
  const names = await readdir(root).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const pid = Number(OWNED.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || running(pid)) continue;
    await rm(join(root, name), { recursive: true, force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
