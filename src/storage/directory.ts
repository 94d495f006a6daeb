/**
 * Creates the LevelDB directory and its missing parents one level at a time. Node's
 * `mkdir(path, { recursive: true })` loops forever where a parent refuses creation with ENOENT
 * (e.g. under /proc: `/proc/nope/x` never returns, and the sync form blocks the thread), so the
 * walk here is bounded by the path's depth, and any failure (a file in the way, no permission)
 * becomes a coded error naming the path.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LambdaliteError } from '../errors.js';

function cannot(location: string, why: string, cause: unknown): LambdaliteError {
  return new LambdaliteError('ServiceException', `could not open LevelDB directory '${location}': ${why}`, {
    cause,
    retriable: false,
  });
}

export async function ensureDirectory(location: string): Promise<void> {
  const missing: string[] = [];
  let path = resolve(location);
  for (;;) {
    try {
      const found = await stat(path);
      if (!found.isDirectory()) throw cannot(location, `'${path}' exists and is not a directory`, undefined);
      break;
    } catch (err) {
      if (err instanceof LambdaliteError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw cannot(location, `cannot read '${path}' (${code})`, err);
      missing.push(path);
      const parent = dirname(path);
      if (parent === path) throw cannot(location, 'no existing parent directory', err);
      path = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process may create it meanwhile; stat above proves what is there if it matters.
      if (code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      throw cannot(location, `cannot create '${dir}' (${code})`, err);
    }
  }
}
