/**
 * Code packages. A zip is checked and measured here, stored in LevelDB by the registry and
 * unpacked on demand to a cache directory named after its SHA-256 (so engines and restarts share
 * one copy, and a changed zip gets a new directory). Files and directories are referenced in
 * place: the registry records their hash and size at create/update time, and each new container
 * (a fresh worker, so a fresh module cache) loads whatever is on disk then, which means edits
 * take effect at the next cold start.
 *
 * fflate unpacks zips: small, dependency-free, maintained, with a synchronous `unzipSync` that
 * needs no stream plumbing for packages of at most 50 MB.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { fail } from '../errors.js';
import { type DirectoryLimits, measureDirectory } from './code-directory.js';
import type { CodeSource } from './types.js';
import { symlinkEntries } from './zip-links.js';

/** Largest zip accepted for direct upload, and largest unpacked size (reference §6.2). */
export const ZIP_MAX_BYTES = 50 * 1024 * 1024;
export const UNZIPPED_MAX_BYTES = 250 * 1024 * 1024;
/** A code directory is walked at most this far: bounded work for any path, `/` included. */
export const DIRECTORY_LIMITS: DirectoryLimits = { maxBytes: UNZIPPED_MAX_BYTES, maxEntries: 100_000 };

export interface PreparedCode {
  source: CodeSource;
  sha256: string;
  size: number;
  /** Absolute path for file / directory code. */
  path?: string;
  /** The zip bytes, for 'zip' code. */
  zip?: Buffer;
}

const sha = (): ReturnType<typeof createHash> => createHash('sha256');

/** Checks the code option and measures it; nothing is written. */
export async function prepareCode(code: unknown, limits = DIRECTORY_LIMITS): Promise<PreparedCode> {
  if (typeof code !== 'object' || code === null) {
    fail('InvalidParameterValueException', 'options.code must be { file }, { directory } or { zipFile }');
  }
  const c = code as Partial<Record<'file' | 'directory' | 'zipFile', unknown>>;
  if (c.zipFile !== undefined) {
    if (!(c.zipFile instanceof Uint8Array)) {
      fail('InvalidParameterValueException', 'options.code.zipFile must be a Buffer holding a zip');
    }
    const zip = Buffer.from(c.zipFile.buffer, c.zipFile.byteOffset, c.zipFile.byteLength);
    if (zip.length > ZIP_MAX_BYTES) {
      fail(
        'RequestTooLargeException',
        `options.code.zipFile must be at most ${ZIP_MAX_BYTES} bytes, got ${zip.length}`,
      );
    }
    unzipEntries(zip); // validates
    return { source: 'zip', sha256: sha().update(zip).digest('base64'), size: zip.length, zip };
  }
  if (typeof c.file === 'string') {
    const path = resolve(c.file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) fail('InvalidParameterValueException', `options.code.file '${path}' is not a file`);
    const bytes = await readFile(path);
    return { source: 'file', sha256: sha().update(bytes).digest('base64'), size: bytes.length, path };
  }
  if (typeof c.directory === 'string') {
    const path = resolve(c.directory);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory()) {
      fail('InvalidParameterValueException', `options.code.directory '${path}' is not a directory`);
    }
    const { sha256, size } = await measureDirectory(path, limits);
    return { source: 'directory', sha256, size, path };
  }
  return fail(
    'InvalidParameterValueException',
    'options.code must be { file }, { directory } or { zipFile }',
  );
}

function unzipEntries(zip: Buffer): Record<string, Uint8Array> {
  const [link] = symlinkEntries(zip) ?? [];
  if (link !== undefined) {
    fail('InvalidZipFileException', `Could not unzip uploaded file: entry '${link}' is a symbolic link`);
  }
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (file) => {
        total += file.originalSize;
        if (total > UNZIPPED_MAX_BYTES)
          throw new RangeError(`unzipped size exceeds ${UNZIPPED_MAX_BYTES} bytes`);
        return true;
      },
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail('InvalidZipFileException', `Could not unzip uploaded file: ${why}`, { cause: err });
  }
  for (const name of Object.keys(entries)) {
    if (name.includes('\0')) {
      fail(
        'InvalidZipFileException',
        `Could not unzip uploaded file: entry ${JSON.stringify(name)} has a NUL in its name`,
      );
    }
    const clean = normalize(name);
    if (isAbsolute(name) || clean.startsWith(`..${sep}`) || clean === '..') {
      fail(
        'InvalidZipFileException',
        `Could not unzip uploaded file: entry '${name}' points outside the package`,
      );
    }
  }
  return entries;
}

/** Directory a zip with this hash unpacks to. */
export function zipCacheDir(sha256: string, root = join(tmpdir(), 'lambdalite-code')): string {
  return join(root, Buffer.from(sha256, 'base64').toString('hex'));
}

const unpacking = new Map<string, Promise<string>>();

/**
 * Unpacks `zip` into its cache directory unless already there; concurrent callers share one
 * extraction, and a half-written directory is never visible (written aside, then renamed).
 */
export function ensureUnpacked(sha256: string, zip: () => Promise<Buffer>): Promise<string> {
  const dir = zipCacheDir(sha256);
  if (existsSync(dir)) return Promise.resolve(dir);
  let job = unpacking.get(dir);
  if (!job) {
    job = (async () => {
      const entries = unzipEntries(await zip());
      const staging = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      for (const [name, bytes] of Object.entries(entries)) {
        const target = join(staging, name);
        if (name.endsWith('/')) {
          await mkdir(target, { recursive: true });
          continue;
        }
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, bytes);
      }
      await mkdir(staging, { recursive: true });
      try {
        await rename(staging, dir);
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        if (!existsSync(dir)) throw err;
      }
      return dir;
    })().finally(() => unpacking.delete(dir));
    unpacking.set(dir, job);
  }
  return job;
}
