/**
 * Inside a container: its /tmp quota. {@link TmpUsage} measures the directory cheaply after each
 * invocation; {@link TmpQuota} refuses, with ENOSPC as a full disk would, a write through the
 * fs module (sync, callback and promise forms, streams included: they write through `fs.write`)
 * that would take the directory past its quota. Bytes written since the last measure are added
 * up; the directory is measured again only when that sum reaches the quota, and a write is
 * refused only when the measured usage plus the write is over it and the target is in /tmp.
 * What writes any other way (a FileHandle, a child process, native code) is caught by the
 * engine's check of the directory while the invocation runs (container.ts) and after it.
 */
import fs, { type Dirent, fstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import workerThreads from 'node:worker_threads';

/** Node's list of the internal modules loaded so far (undocumented; an array since Node 0.x). */
const LOADED = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;

/**
 * Whether anything may have put a byte in the container's /tmp yet. The engine creates it empty,
 * and a byte gets there only through a write the fs hooks see ({@link TmpQuota}), a file moved,
 * linked, copied or extended there, a writable FileHandle, a child process, a nested worker,
 * native code, WebAssembly (WASI) or a heap snapshot or diagnostic report: each marks the
 * directory touched, for good, when first called (whatever its target); child processes from
 * the moment child_process is loaded ({@link TmpTouch.poll}). While untouched, the
 * measure after each invocation and the engine's scan while one runs answer 0 without a system
 * call (an fstat cost ~4 us per warm invocation). The mark is one Int32 in a SharedArrayBuffer
 * the engine shares, so its scan sees the mark of a worker blocked in a synchronous call.
 */
export class TmpTouch {
  readonly #flag: Int32Array;
  #seen = 0;

  constructor(shared: SharedArrayBuffer | undefined) {
    this.#flag = new Int32Array(shared ?? new SharedArrayBuffer(4));
  }

  get touched(): boolean {
    return this.#flag[0] !== 0;
  }

  /**
   * Marks the directory touched once the code has loaded child_process. Watched through Node's
   * list of loaded internal modules rather than by wrapping its functions: importing it here
   * would cost every container several milliseconds of start-up. Called after init, at the end
   * of each invocation and by the memory sampler while one runs.
   */
  poll(): void {
    if (this.#flag[0] !== 0) return;
    if (LOADED === undefined) {
      this.mark();
      return;
    }
    for (let i = this.#seen; i < LOADED.length; i++) {
      if (LOADED[i] === 'NativeModule child_process') {
        this.mark();
        return;
      }
    }
    this.#seen = LOADED.length;
  }

  mark(): void {
    if (this.#flag[0] === 0) Atomics.store(this.#flag, 0, 1);
  }

  /** Marks the directory touched before any way of writing the fs write hooks do not see. */
  hookWriters(): void {
    const mark = (): void => this.mark();
    const module = fs as unknown as Record<string, Fn>;
    const movers = ['rename', 'link', 'cp', 'truncate', 'ftruncate'];
    for (const name of movers) {
      wrapMarking(module, name, mark);
      wrapMarking(module, `${name}Sync`, mark);
    }
    const promises = fs.promises as unknown as Record<string, Fn>;
    for (const name of ['rename', 'link', 'cp', 'truncate']) wrapMarking(promises, name, mark);
    // A FileHandle writes past the hooks; one opened only to read cannot.
    wrapMarking(promises, 'open', mark, (args) => !readOnly(args[1]));
    wrapMarking(v8 as unknown as Record<string, Fn>, 'writeHeapSnapshot', mark);
    if (process.report) wrapMarking(process.report as unknown as Record<string, Fn>, 'writeReport', mark);
    const processFns = process as unknown as Record<string, Fn>;
    wrapMarking(processFns, 'dlopen', mark);
    wrapMarking(processFns, 'binding', mark);
    const wasm = (globalThis as unknown as { WebAssembly?: Record<string, unknown> }).WebAssembly;
    const constructing = <T extends object>(target: T): T =>
      new Proxy(target, {
        construct(t, args, newTarget) {
          mark();
          return Reflect.construct(t as new (...a: unknown[]) => object, args, newTarget);
        },
      });
    if (wasm !== undefined) {
      wrapMarking(wasm as Record<string, Fn>, 'instantiate', mark);
      wrapMarking(wasm as Record<string, Fn>, 'instantiateStreaming', mark);
      if (typeof wasm.Instance === 'function') wasm.Instance = constructing(wasm.Instance);
    }
    (workerThreads as { Worker: unknown }).Worker = constructing(workerThreads.Worker);
    syncBuiltinESMExports();
  }
}

/** Replaces `functions[name]` with one that calls `mark` (when `when` agrees) first. */
function wrapMarking(
  functions: Record<string, Fn>,
  name: string,
  mark: () => void,
  when?: (args: unknown[]) => boolean,
): void {
  const original = functions[name];
  if (typeof original !== 'function') return;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    if (when === undefined || when(args)) mark();
    return original.apply(this, args);
  };
  // A function's own promisified variant (util.promisify.custom) marks too.
  const custom = (original as unknown as Record<symbol, unknown>)[promisify.custom];
  if (typeof custom === 'function') {
    Object.defineProperty(wrapped, promisify.custom, {
      value: (...args: unknown[]) => {
        mark();
        return (custom as Fn)(...args);
      },
    });
  }
  functions[name] = wrapped;
}

/** Open flags that cannot write ('r', 'rs', 'sr' or an O_RDONLY number without O_CREAT/O_TRUNC). */
function readOnly(flags: unknown): boolean {
  if (flags === undefined || flags === 'r' || flags === 'rs' || flags === 'sr') return true;
  if (typeof flags !== 'number') return false;
  const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) === 0;
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
    private readonly touch: TmpTouch,
  ) {
    this.#fd = fd;
  }

  bytes(): number {
    this.touch.poll();
    if (!this.touch.touched) return 0;
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

export function dirBytes(dir: string): number {
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

type Fn = (...args: unknown[]) => unknown;
type Refuse = (err: unknown, args: unknown[]) => unknown;

export class TmpQuota {
  #known: number | undefined;
  #since = 0;
  readonly #real: string;

  constructor(
    private readonly dir: string,
    private readonly quotaBytes: number,
    private readonly touch: TmpTouch,
  ) {
    this.#real = realpathOr(dir);
  }

  /** The directory was measured (after an invocation): `bytes` is its usage now. */
  measured(bytes: number): void {
    this.#known = bytes;
    this.#since = 0;
  }

  /** Throws ENOSPC when writing `bytes` to `target` (a path or a descriptor) would pass the quota. */
  admit(bytes: number, target: unknown, syscall: string): void {
    if (!(bytes > 0)) return;
    if (this.#known !== undefined && this.#known + this.#since + bytes <= this.quotaBytes) {
      this.#since += bytes;
      return;
    }
    this.measured(dirBytes(this.dir));
    if ((this.#known ?? 0) + bytes <= this.quotaBytes || !this.#inTmp(target)) {
      this.#since += bytes;
      return;
    }
    const error = new Error(
      `ENOSPC: no space left on device, ${syscall} (/tmp quota of ${this.quotaBytes} bytes)`,
    ) as NodeJS.ErrnoException;
    error.code = 'ENOSPC';
    error.errno = -28;
    error.syscall = syscall;
    throw error;
  }

  #inTmp(target: unknown): boolean {
    let path: string;
    if (typeof target === 'number') {
      try {
        // Linux: where the descriptor points (asked only near the quota).
        path = readlinkSync(`/proc/self/fd/${target}`);
      } catch {
        return true;
      }
    } else if (typeof target === 'string') path = target;
    else if (target instanceof URL) path = fileURLToPath(target);
    else if (Buffer.isBuffer(target)) path = target.toString();
    else return true;
    const full = resolve(path);
    return [this.dir, this.#real].some((dir) => full === dir || full.startsWith(dir + sep));
  }

  /** Puts the check in front of the fs module's writes (and their ESM named exports). */
  hookWrites(): void {
    const module = fs as unknown as Record<string, Fn>;
    const promises = fs.promises as unknown as Record<string, Fn>;
    // How a refused write reports ENOSPC in each form.
    const thrown = (err: unknown): never => {
      throw err;
    };
    const called = (err: unknown, args: unknown[]): undefined => {
      const callback = args.at(-1);
      if (typeof callback !== 'function') throw err;
      process.nextTick(callback as Fn, err);
      return undefined;
    };
    const rejected = (err: unknown): Promise<never> => Promise.reject(err);
    // [functions, name, bytes the arguments write, index of the target, refusal]
    const hooks: Array<[Record<string, Fn>, string, (a: unknown[]) => number, number, Refuse]> = [
      [module, 'writeSync', (a) => dataBytes(a[1], a[2], a[3]), 0, thrown],
      [module, 'writevSync', (a) => vectorBytes(a[1]), 0, thrown],
      [module, 'writeFileSync', (a) => dataBytes(a[1]), 0, thrown],
      [module, 'appendFileSync', (a) => dataBytes(a[1]), 0, thrown],
      [module, 'copyFileSync', (a) => fileBytes(a[0]), 1, thrown],
      [module, 'write', (a) => dataBytes(a[1], a[2], a[3]), 0, called],
      [module, 'writev', (a) => vectorBytes(a[1]), 0, called],
      [module, 'writeFile', (a) => dataBytes(a[1]), 0, called],
      [module, 'appendFile', (a) => dataBytes(a[1]), 0, called],
      [module, 'copyFile', (a) => fileBytes(a[0]), 1, called],
      [promises, 'writeFile', (a) => dataBytes(a[1]), 0, rejected],
      [promises, 'appendFile', (a) => dataBytes(a[1]), 0, rejected],
      [promises, 'copyFile', (a) => fileBytes(a[0]), 1, rejected],
    ];
    for (const [functions, name, bytes, at, refuse] of hooks) {
      const original = functions[name] as Fn;
      functions[name] = (...args: unknown[]) => {
        // Output to the standard streams (a logger writing to fd 1) never reaches /tmp.
        if (args[at] !== 1 && args[at] !== 2) this.touch.mark();
        try {
          this.admit(bytes(args), args[at], 'write');
        } catch (err) {
          return refuse(err, args);
        }
        return original(...args);
      };
    }
    syncBuiltinESMExports();
  }
}

/** Bytes a write of `data` puts on disk: `length` when given (write(fd, buf, offset, length)). */
function dataBytes(data: unknown, offsetOrOptions?: unknown, length?: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (!ArrayBuffer.isView(data)) return 0;
  if (typeof length === 'number') return length;
  if (typeof offsetOrOptions === 'object' && offsetOrOptions !== null) {
    const o = offsetOrOptions as { length?: unknown };
    if (typeof o.length === 'number') return o.length;
  }
  return data.byteLength - (typeof offsetOrOptions === 'number' ? offsetOrOptions : 0);
}

function vectorBytes(list: unknown): number {
  return Array.isArray(list) ? list.reduce((sum: number, item) => sum + dataBytes(item), 0) : 0;
}

function fileBytes(path: unknown): number {
  try {
    return statSync(path as string).size;
  } catch {
    return 0;
  }
}

function realpathOr(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}
