/**
 * Measures and hashes a function's code directory without trusting its size: the walk counts
 * entries and the files' sizes as it goes and stops at the first limit passed, so a directory
 * such as `/` is refused after a bounded amount of work instead of listing the whole disk and
 * reading every file. Symbolic links and special files are not followed or read, as before: only
 * regular files are part of the package.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fail } from '../errors.js';

export interface DirectoryLimits {
  /** Largest total size of the regular files (Lambda's unzipped package limit). */
  readonly maxBytes: number;
  /** Most entries (files and directories) visited before the directory is refused. */
  readonly maxEntries: number;
}

export interface MeasuredDirectory {
  readonly sha256: string;
  readonly size: number;
}

/** Lists the regular files under `root`, refusing it once a limit is passed. */
async function listFiles(root: string, limits: DirectoryLimits): Promise<string[]> {
  const files: string[] = [];
  const directories = [root];
  let entries = 0;
  let bytes = 0;
  for (let dir = directories.pop(); dir !== undefined; dir = directories.pop()) {
    let children: Dirent[];
    try {
      children = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const why = (err as { code?: string }).code ?? String(err);
      return fail('InvalidParameterValueException', `options.code.directory: cannot read '${dir}' (${why})`);
    }
    entries += children.length;
    if (entries > limits.maxEntries) {
      fail(
        'InvalidParameterValueException',
        `options.code.directory '${root}' holds more than ${limits.maxEntries} entries`,
      );
    }
    for (const child of children) {
      const path = join(dir, child.name);
      if (child.isDirectory()) directories.push(path);
      else if (child.isFile()) {
        bytes += (await stat(path)).size;
        if (bytes > limits.maxBytes) {
          fail(
            'InvalidParameterValueException',
            `options.code.directory '${root}': unzipped size must be smaller than ${limits.maxBytes} bytes`,
          );
        }
        files.push(path);
      }
    }
  }
  return files.sort();
}

/**
 * The directory's hash (each file's path relative to `root`, a NUL, its bytes, in path order)
 * and its size in bytes.
 */
export async function measureDirectory(root: string, limits: DirectoryLimits): Promise<MeasuredDirectory> {
  const hash = createHash('sha256');
  let size = 0;
  for (const file of await listFiles(root, limits)) {
    const bytes = await readFile(file);
    size += bytes.length;
    // A file that grew since it was measured is held to the same limit.
    if (size > limits.maxBytes) {
      fail(
        'InvalidParameterValueException',
        `options.code.directory '${root}': unzipped size must be smaller than ${limits.maxBytes} bytes`,
      );
    }
    hash.update(relative(root, file)).update('\0').update(bytes);
  }
  return { sha256: hash.digest('base64'), size };
}
