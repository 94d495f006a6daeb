/**
 * A bare HTTP/1.1 client over a TCP socket, for requests no HTTP library would send: duplicated
 * and oversized headers, a Content-Length that lies, bytes that are not UTF-8 in the path.
 */
import { connect } from 'node:net';

/** How the body is framed: as declared, or with a Content-Length that lies or is missing. */
export type Framing = 'exact' | 'none' | 'short' | 'long' | 'huge' | 'chunked';

export interface RawRequest {
  readonly method: string;
  /** The request target as written on the wire (path and query, already encoded). */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly framing: Framing;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

export type RawOutcome =
  | { readonly kind: 'response'; readonly response: RawResponse }
  | { readonly kind: 'closed'; readonly bytes: number }
  | { readonly kind: 'timeout' };

function head(port: number, r: RawRequest): string {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  const length = r.body.length;
  if (r.framing === 'exact') lines.push(`content-length: ${length}`);
  if (r.framing === 'short') lines.push(`content-length: ${Math.floor(length / 2)}`);
  if (r.framing === 'long') lines.push(`content-length: ${length + 17}`);
  // Past every service's limit (S3's 5 GB): refused from the header, before any byte is read.
  if (r.framing === 'huge') lines.push('content-length: 6000000000');
  if (r.framing === 'chunked') lines.push('transfer-encoding: chunked');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function frame(r: RawRequest): Buffer {
  if (r.framing !== 'chunked') return r.body;
  const parts: Buffer[] = [];
  for (let at = 0; at < r.body.length; at += 7) {
    const piece = r.body.subarray(at, at + 7);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/**
 * The first final response in `bytes` (the server closes after it), or undefined if incomplete. A
 * response to HEAD has no body whatever its Content-Length says.
 */
export function parseResponse(bytes: Buffer, method: string): RawResponse | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  // An interim answer (100 Continue) precedes the real one.
  if (status < 200) return parseResponse(bytes.subarray(end + 4), method);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = method === 'HEAD' ? 0 : Number(headers.get('content-length') ?? 0);
  const body = bytes.subarray(end + 4, end + 4 + length);
  return body.length === length ? { status, headers, body } : undefined;
}

/** Sends one request on its own connection and reads until the server closes it. */
export function sendRaw(port: number, r: RawRequest, timeoutMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ kind: 'timeout' });
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks);
      const response = parseResponse(bytes, r.method);
      resolve(
        response === undefined ? { kind: 'closed', bytes: bytes.length } : { kind: 'response', response },
      );
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A response can be complete while the server still drains what we sent.
      if (parseResponse(Buffer.concat(chunks), r.method) !== undefined) socket.end();
    });
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.write(Buffer.concat([Buffer.from(head(port, r), 'latin1'), frame(r)]));
    // A body shorter than its Content-Length would otherwise wait for bytes that never come.
    if (r.framing === 'long' || r.framing === 'huge') socket.end();
  });
}
