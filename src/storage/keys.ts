/**
 * Key codecs. LevelDB orders keys by bytes, so numbers are written at a fixed width and
 * composite keys are joined with NUL, which sorts below every other byte: byte order is then
 * logical order (`bucket\0a` < `bucket\0b` < `bucket2\0...`).
 */

export const SEP = '\x00';
/** Upper bound for a prefix built with {@link SEP}: `prefix + SEP` .. `prefix + SEP_END`. */
export const SEP_END = '\x01';

/** Joins key parts with NUL; parts must not contain NUL themselves. */
export function joinKey(...parts: readonly string[]): string {
  return parts.join(SEP);
}

/** Range covering every key that starts with `joinKey(...parts, <anything>)`. */
export function childRange(...parts: readonly string[]): { gte: string; lt: string } {
  const base = parts.join(SEP);
  return { gte: base + SEP, lt: base + SEP_END };
}

const U53_WIDTH = 16;

/** A non-negative safe integer as 16 decimal digits. */
export function encodeUint(n: number, width = U53_WIDTH): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`key codec needs a non-negative safe integer, got ${n}`);
  return n.toString().padStart(width, '0');
}

export function decodeUint(text: string): number {
  return Number.parseInt(text, 10);
}

/** A non-negative bigint as a fixed-width decimal string, so key order is numeric order. */
export function encodeBigUint(n: bigint, width: number): string {
  if (n < 0n) throw new RangeError(`key codec needs a non-negative bigint, got ${n}`);
  const text = n.toString();
  if (text.length > width) throw new RangeError(`${text} does not fit in ${width} digits`);
  return text.padStart(width, '0');
}
