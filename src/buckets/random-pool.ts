/**
 * Random bytes for request and host ids, drawn from a pooled buffer: one `randomFillSync` per
 * 4 KiB instead of a system call per id, which showed up as the top cost of a small putObject.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` (<= 4096) fresh random bytes as a view into the pool; use them before the next call. */
export function pooledRandom(n: number): Buffer {
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}
