/**
 * JSON written straight into bytes, for the replies that carry thousands of records (Kinesis
 * GetRecords and PutRecords). Building the wire objects, `JSON.stringify` and then encoding the
 * text to UTF-8 cost more than the engine's read itself; this writes the same text, byte for byte,
 * in one pass. Strings go through `JSON.stringify` whenever they are not plain printable ASCII,
 * so escaping is always JSON.stringify's.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CODES = Uint8Array.from(BASE64, (c) => c.charCodeAt(0));
const EQUALS = 0x3d;

/** A reply already serialised: `handleJson` sends it as the body as is. */
export class JsonBytes {
  constructor(readonly body: Buffer) {}
}

/** Appends JSON text to a growing buffer; the caller writes the punctuation with {@link raw}. */
export class JsonByteWriter {
  #out: Buffer;
  #at = 0;

  constructor(sizeHint: number) {
    this.#out = Buffer.allocUnsafe(Math.max(64, sizeHint));
  }

  #reserve(bytes: number): void {
    if (this.#at + bytes <= this.#out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#out.length * 2, this.#at + bytes));
    this.#out.copy(grown, 0, 0, this.#at);
    this.#out = grown;
  }

  /** ASCII text written as is (member names, punctuation, digits). */
  raw(text: string): this {
    const length = text.length;
    this.#reserve(length);
    const out = this.#out;
    let at = this.#at;
    for (let i = 0; i < length; i++) out[at++] = text.charCodeAt(i);
    this.#at = at;
    return this;
  }

  /** A JSON string literal, as `JSON.stringify(text)` writes it. */
  string(text: string): this {
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      // Control characters, `"`, `\` and anything past ASCII: JSON.stringify's escaping, UTF-8.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return this.#utf8(JSON.stringify(text));
    }
    this.#reserve(length + 2);
    const out = this.#out;
    let at = this.#at;
    out[at++] = 0x22;
    for (let i = 0; i < length; i++) out[at++] = text.charCodeAt(i);
    out[at++] = 0x22;
    this.#at = at;
    return this;
  }

  /** Any JSON value, through `JSON.stringify` (for the rare, small parts of a reply). */
  json(value: unknown): this {
    return this.#utf8(JSON.stringify(value));
  }

  #utf8(text: string): this {
    this.#reserve(Buffer.byteLength(text, 'utf8'));
    this.#at += this.#out.write(text, this.#at, 'utf8');
    return this;
  }

  /** A number as `JSON.stringify` writes it. */
  number(value: number): this {
    return this.raw(JSON.stringify(value));
  }

  /** `bytes` as a quoted base64 string (standard alphabet, padded: `toString('base64')`'s text). */
  base64(bytes: Uint8Array): this {
    const length = bytes.length;
    this.#reserve(Math.ceil(length / 3) * 4 + 2);
    const out = this.#out;
    let at = this.#at;
    out[at++] = 0x22;
    let i = 0;
    for (; i + 3 <= length; i += 3) {
      const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      out[at++] = BASE64_CODES[v >>> 18] as number;
      out[at++] = BASE64_CODES[(v >>> 12) & 63] as number;
      out[at++] = BASE64_CODES[(v >>> 6) & 63] as number;
      out[at++] = BASE64_CODES[v & 63] as number;
    }
    if (i < length) {
      const second = i + 1 < length;
      const v = ((bytes[i] as number) << 16) | (second ? (bytes[i + 1] as number) << 8 : 0);
      out[at++] = BASE64_CODES[v >>> 18] as number;
      out[at++] = BASE64_CODES[(v >>> 12) & 63] as number;
      out[at++] = second ? (BASE64_CODES[(v >>> 6) & 63] as number) : EQUALS;
      out[at++] = EQUALS;
    }
    out[at++] = 0x22;
    this.#at = at;
    return this;
  }

  /** The JSON written so far (a view on the writer's buffer). */
  finish(): Buffer {
    return this.#out.subarray(0, this.#at);
  }
}
