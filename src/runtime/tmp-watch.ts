/**
 * The engine's side of a container's /tmp quota: while an invocation runs, the directory is
 * measured every {@link TMP_CHECK_MS} ms (on the thread pool), so writes the worker's own checks
 * cannot see (a FileHandle, native code, a child process, a worker blocked in a synchronous
 * call) are caught while they happen; over the quota, the child processes writing there are
 * killed and the container is ended. Overshoot: what they write in one period plus one scan.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export const TMP_CHECK_MS = 25;

export class TmpWatch {
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;

  constructor(
    private readonly dir: string,
    private readonly quotaBytes: number,
    /** True while the container runs an invocation. */
    private readonly busy: () => boolean,
    private readonly over: (usedBytes: number) => void,
    /** False while nothing can have written to the directory: the tick then skips its scan. */
    private readonly touched: () => boolean = () => true,
  ) {}

  /** An invocation started: checks run until the container is no longer busy. */
  start(): void {
    if (this.#timer !== undefined) return;
    // One timer while invocations follow each other; it stops itself at the first idle tick.
    this.#timer = setInterval(() => this.#tick(), TMP_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    if (!this.busy()) {
      this.stop();
      return;
    }
    if (this.#scanning || !this.touched()) return;
    this.#scanning = true;
    void dirBytes(this.dir).then((bytes) => {
      this.#scanning = false;
      if (bytes > this.quotaBytes && this.busy()) this.over(bytes);
    });
  }
}

async function dirBytes(dir: string): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Kills (SIGKILL) this process's descendants that hold a file under `dir` open or work in it,
 * and returns their pids. Linux only (/proc); elsewhere nothing is found. Only processes that
 * are our descendants now are looked at, so a reused pid is never hit.
 */
export async function killWriters(dir: string): Promise<number[]> {
  const dirs = new Set([dir, await realpath(dir).catch(() => dir)]);
  const inside = (path: string): boolean => [...dirs].some((d) => path === d || path.startsWith(d + sep));
  const killed: number[] = [];
  const queue = await childrenOf('self');
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    queue.push(...(await childrenOf(String(pid))));
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    const links = await Promise.all(
      [...fds.map((fd) => `/proc/${pid}/fd/${fd}`), `/proc/${pid}/cwd`].map((p) =>
        readlink(p).catch(() => ''),
      ),
    );
    if (!links.some(inside)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Already gone.
    }
  }
  return killed;
}

async function childrenOf(pid: string): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}
