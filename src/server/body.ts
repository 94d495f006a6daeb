/** Reads a request body into memory, refusing it as soon as it passes the service's limit. */
import type { Readable } from 'node:stream';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the ${limit} bytes this operation accepts`);
  }
}

export function readBody(
  stream: Readable,
  limit: number,
  declaredLength: number | undefined,
): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) {
    // Never read: the stream is resumed so the connection can finish, its bytes dropped.
    stream.resume();
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    stream.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    stream.on('error', (err) => {
      if (!refused) reject(err);
    });
  });
}
