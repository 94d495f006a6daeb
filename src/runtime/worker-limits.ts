/**
 * Inside a container: its memory, measured and enforced. The measure is one V8 heap-statistics
 * read (no syscall): committed heap, malloc'd memory and external memory (ArrayBuffers and
 * Buffers, which live outside the heap that `resourceLimits` caps). It is taken
 * - before each allocation made through Buffer's factories, `ArrayBuffer`, `SharedArrayBuffer`
 *   or a typed array constructor, once every {@link CHECK_BYTES} bytes requested and before any
 *   single request of that size: these run even inside a synchronous loop, which blocks the
 *   worker's timers;
 * - every {@link SAMPLE_MS} ms while an invocation runs and yields (external memory that grows
 *   any other way: fs.readFile, zlib, crypto, TextEncoder);
 * - when an invocation ends (its "Max Memory Used" is the peak of all of these).
 * Over the limit, `over` is called (the worker reports it and exits; the engine ends the
 * container). Memory not yet collected counts, as a process's RSS does in Lambda.
 */
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

/** Requested bytes between two checks, at most: the overshoot of a loop of small allocations. */
export const CHECK_BYTES = 1024 * 1024;
/** The sampler's period while an invocation runs. */
export const SAMPLE_MS = 10;

export class MemoryGuard {
  #peak = 0;
  #unchecked = 0;
  #running = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitBytes: number,
    private readonly over: (memoryBytes: number) => void,
    /** Called with each sample taken while an invocation runs (other periodic checks). */
    private readonly sampled: () => void = () => undefined,
  ) {}

  /** Called before an allocation of `bytes` (a lower bound) is made. */
  allocating(bytes: number): void {
    this.#unchecked += bytes;
    if (this.#unchecked >= CHECK_BYTES) this.check(bytes);
  }

  /** Measures now; calls `over` when the memory (plus `extra` about to be allocated) is over. */
  check(extra = 0): number {
    this.#unchecked = 0;
    const now = memoryBytes();
    if (now > this.#peak) this.#peak = now;
    if (now + extra > this.limitBytes) this.over(now + extra);
    return now;
  }

  /** An invocation (or init) starts: the peak restarts and the sampler runs. */
  begin(): void {
    this.#running = true;
    this.#peak = 0;
    this.check();
    // One timer kept while invocations follow each other; it stops itself once none runs.
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        if (this.#running) {
          this.check();
          this.sampled();
        } else {
          clearInterval(this.#timer);
          this.#timer = undefined;
        }
      }, SAMPLE_MS);
      // Not a reason to keep the loop alive (callbackWaitsForEmptyEventLoop ignores it too).
      this.#timer.unref();
    }
  }

  /** The invocation ended: its peak, measured once more now. */
  end(): number {
    this.#running = false;
    this.check();
    return this.#peak;
  }
}

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

/** Bytes a Buffer / typed array factory allocates for `source` (0 when it only views memory). */
function sourceBytes(source: unknown, perElement = 1): number {
  if (typeof source === 'number') return source * perElement;
  if (typeof source === 'string') return source.length;
  if (source instanceof ArrayBuffer || source instanceof SharedArrayBuffer) return 0;
  if (typeof source === 'object' && source !== null) {
    const length = (source as { length?: unknown }).length;
    if (typeof length === 'number') return length * perElement;
  }
  return 0;
}

/**
 * Routes the allocations of the code's own Buffers and typed arrays through `allocating` (see
 * {@link MemoryGuard}). Node's internals keep their own references (primordials), untouched.
 */
export function hookAllocations(allocating: (bytes: number) => void): void {
  const factories = Buffer as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow', 'from'] as const) {
    const original = factories[name] as (...args: unknown[]) => unknown;
    factories[name] = function (this: unknown, ...args: unknown[]): unknown {
      allocating(sourceBytes(args[0]));
      return original.apply(this, args);
    };
  }
  const concat = Buffer.concat;
  Buffer.concat = function (this: unknown, list: readonly Uint8Array[], total?: number) {
    allocating(total ?? list.reduce((sum, item) => sum + (item?.length ?? 0), 0));
    return concat.call(this, list, total);
  } as typeof Buffer.concat;
  const global = globalThis as unknown as Record<string, unknown>;
  const wrap = (name: string, perElement: number): void => {
    const target = global[name] as new (...args: unknown[]) => unknown;
    global[name] = new Proxy(target, {
      construct(t, args, newTarget) {
        allocating(sourceBytes(args[0], perElement));
        return Reflect.construct(t, args, newTarget) as object;
      },
    });
  };
  wrap('ArrayBuffer', 1);
  wrap('SharedArrayBuffer', 1);
  for (const name of TYPED_ARRAYS) {
    wrap(name, (global[name] as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
  }
}
