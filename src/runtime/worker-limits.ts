/**
 * Inside a container: the per-invocation measurements, kept cheap because they run on every
 * warm invoke. Memory is one V8 heap-statistics read (no syscall). /tmp usage is checked with
 * one fstat of the directory (a descriptor the engine holds open) while the directory is empty; a full scan runs only
 * once something has appeared in it (its mtime moved) or while it holds files.
 */
import { type Dirent, fstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/** The container's committed memory: heap, malloc'd and external (Buffers), in bytes. */
export function memoryBytes(): number {
  const heap = getHeapStatistics();
  return (
    heap.total_heap_size +
    heap.malloced_memory +
    ((heap as { external_memory?: number }).external_memory ?? 0)
  );
}

/**
 * Bytes under the container's temp directory. Synchronous on purpose (a thread-pool round
 * trip would dominate a warm invocation). No file can appear in the directory without moving
 * its mtime, so while it was empty at the last scan one fstat (on a descriptor opened once,
 * cheaper than a stat by path) answers. A directory removed by the code (nlink 0) is looked
 * up by path from then on.
 */
export class TmpUsage {
  #fd: number | undefined;
  #emptyAt: number | undefined;

  /** `fd`: a descriptor of `dir` the engine opened for this container (and closes after it). */
  constructor(
    private readonly dir: string,
    fd: number | undefined,
  ) {
    this.#fd = fd;
  }

  bytes(): number {
    const mtime = this.#mtime();
    if (mtime === undefined || mtime === this.#emptyAt) return 0;
    const total = dirBytes(this.dir);
    this.#emptyAt = readdirSync(this.dir).length === 0 ? mtime : undefined;
    return total;
  }

  #mtime(): number | undefined {
    if (this.#fd !== undefined) {
      try {
        const stats = fstatSync(this.#fd);
        if (stats.nlink > 0) return stats.mtimeMs;
      } catch {
        // The code closed the descriptor: look the directory up by path from now on.
      }
      this.#fd = undefined;
    }
    return statSync(this.dir, { throwIfNoEntry: false })?.mtimeMs;
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}
