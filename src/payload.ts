/**
 * The one home of the payload rules: how an invocation payload becomes JSON, and the request
 * size limits of the invocation types (reference: Lambda's 6 MB synchronous and 256 KB
 * asynchronous limits, engine quotas here).
 */
import { fail } from './errors.js';
import type { Quotas } from './quotas.js';

/** UTF-8 byte length of `text`, counted only when it may exceed `limit` (else its length). */
export function utf8SizeUpTo(text: string, limit: number): number {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only when the text may be over.
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text);
}

/** The JSON of a payload (`undefined` is `{}`); InvalidRequestContentException when it has none. */
export function serialisePayload(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload === undefined ? {} : payload);
  } catch (err) {
    return fail(
      'InvalidRequestContentException',
      `payload must be JSON-serialisable: ${(err as Error).message}`,
      { cause: err },
    );
  }
  // A function or symbol (or an object whose toJSON answers undefined) has no JSON at all.
  if (json === undefined) {
    return fail(
      'InvalidRequestContentException',
      `payload must be JSON-serialisable, got a ${typeof payload}`,
    );
  }
  return json;
}

/** RequestTooLargeException, naming the limit and the size, when `json` is over the type's limit. */
export function assertPayloadSize(
  quotas: Pick<Quotas, 'asyncPayloadBytes' | 'syncPayloadBytes'>,
  json: string,
  type: 'Event' | 'RequestResponse',
): void {
  const limit = type === 'Event' ? quotas.asyncPayloadBytes : quotas.syncPayloadBytes;
  const size = utf8SizeUpTo(json, limit);
  if (size > limit) {
    fail(
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the ${type} invocation type, got ${size} bytes`,
    );
  }
}
