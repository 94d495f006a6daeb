/** Hashing shared by every part: object ETags, partition-key routing, change-record ids. */
import crypto from 'node:crypto';

// One-shot `crypto.hash` (Node >= 20.12) is about 2.5x faster than createHash for small inputs.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string })
  .hash;

/** Lower-case hex MD5 of `data` (strings as UTF-8). */
export const md5Hex: (data: string | Buffer) => string = oneShot
  ? (data) => oneShot('md5', data, 'hex')
  : (data) => crypto.createHash('md5').update(data).digest('hex');
