/**
 * Inside a container: the handler's result as JSON text, within the synchronous response limit
 * (6 MB, quotas.syncPayloadBytes). JSON.stringify of a value far over the limit can exhaust the
 * worker's heap or pass V8's string size limit, which aborts the whole process, so the text is
 * never built past a bound: a replacer adds up a lower bound of each value's bytes as
 * JSON.stringify reaches it and stops the walk once the sum passes the limit. The text built
 * before the stop is at most ~6x the limit (a control character escapes to 6 bytes).
 */
import type { ErrorShape } from './protocol.js';

export type Serialised = { ok: true; json: string } | { ok: false; error: ErrorShape };

/** AWS's error for a response over the limit; `bytes` when known (the walk may stop early). */
export function responseTooLarge(limit: number, bytes?: number): ErrorShape {
  const size = bytes === undefined ? '' : ` (${bytes} bytes)`;
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size${size} exceeded maximum allowed payload size (${limit} bytes).`,
    trace: [],
  };
}

const STOP = Symbol('response over the limit');

/** The JSON text of `value`, or the ResponseSizeTooLarge error when over `limit` UTF-8 bytes. */
export function serialiseResponse(value: unknown, limit: number): Serialised {
  let text: string | undefined;
  if (typeof value === 'string' && value.length > limit) {
    // Every UTF-16 unit is at least one byte: no need to flatten a string built by repeat().
    return { ok: false, error: responseTooLarge(limit) };
  }
  if (typeof value !== 'object' || value === null) {
    text = JSON.stringify(value);
  } else {
    let bytes = 0;
    let root = true;
    try {
      text = JSON.stringify(value, function (this: unknown, key: string, v: unknown): unknown {
        bytes += lowerBound(v, root ? undefined : this, key);
        root = false;
        if (bytes > limit) throw STOP;
        return v;
      });
    } catch (err) {
      if (err === STOP) return { ok: false, error: responseTooLarge(limit) };
      throw err;
    }
  }
  const json = text ?? 'null';
  // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when the text may be over.
  const bytes = json.length * 3 <= limit ? json.length : Buffer.byteLength(json);
  return bytes > limit ? { ok: false, error: responseTooLarge(limit, bytes) } : { ok: true, json };
}

/**
 * At most the bytes `v` adds to the text (after toJSON, which JSON.stringify applies before the
 * replacer): its own text without escapes, plus its key, quotes, colon and comma in `holder`.
 */
function lowerBound(v: unknown, holder: unknown, key: string): number {
  let own: number;
  switch (typeof v) {
    case 'string':
      own = v.length + 2;
      break;
    case 'number':
      own = String(v).length;
      break;
    case 'boolean':
      own = v ? 4 : 5;
      break;
    case 'object':
      own = v === null ? 4 : 2;
      break;
    default:
      // undefined, a function or a symbol: left out of an object, `null` in an array.
      return Array.isArray(holder) ? 5 : 0;
  }
  if (holder === undefined) return own;
  return own + (Array.isArray(holder) ? 1 : key.length + 3);
}

/** An error shape as large as the limit cannot be a response either (the message is the payload). */
export function boundedError(error: ErrorShape, limit: number): ErrorShape {
  let chars = error.errorType.length + error.errorMessage.length;
  for (const line of error.trace) chars += line.length;
  return chars > limit ? responseTooLarge(limit) : error;
}
