/**
 * Containers' /tmp directories: `lambdalite-tmp-<host>-<pid>-<random>` in the system temp
 * directory (`<host>`: 8 hex digits of the host name's SHA-256), each removed when its container
 * exits. A process killed outright (SIGKILL, a crash) cannot remove its own; the next engine to
 * open on the same host removes those whose process is gone. Directories of other hosts (a temp
 * directory shared between machines or containers, whose process ids mean nothing here) are
 * never touched.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** This host's tag in the directory names. */
export const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const OWNED = new RegExp(`^lambdalite-tmp-${HOST_TAG}-(\\d+)-`);

/** A new private /tmp for a container of this process. */
export function makeTmpDir(): string {
  return mkdtempSync(join(tmpdir(), `lambdalite-tmp-${HOST_TAG}-${process.pid}-`));
}

/**
 * Removes the container directories this host's processes left and that no longer run; returns
 * how many. Directories of this process and of live processes (other engines) are kept.
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
