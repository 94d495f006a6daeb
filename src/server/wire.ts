/**
 * The server's view of one HTTP exchange, the same for HTTP/1.1 and HTTP/2: what a service
 * module reads (a request whose body is already buffered within the service's limit) and what
 * it answers.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface WireRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded (S3 keys and Lambda names are decoded per segment). */
  readonly rawPath: string;
  /** Decoded query parameters (null-prototype semantics: a URLSearchParams). */
  readonly query: URLSearchParams;
  /** Lower-case header names, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Generated per request; sent back as x-amz-request-id / x-amzn-RequestId. */
  readonly requestId: string;
  /** The account and region the engine serves, for ARNs and XML namespaces. */
  readonly region: string;
}

export interface WireResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** One header's value as a single string (repeated headers joined as Node does). */
export function header(req: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** Every path segment after the leading slash, percent-decoded. */
export function pathSegments(rawPath: string): string[] {
  return rawPath
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s));
}

/** What Node's `writeHead` refuses in a header value: controls other than tab, and past latin-1. */
const UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A header value HTTP can carry: as is when it can, else as RFC 2047's encoded word (what S3
 * answers for metadata that is not ASCII). Values can come from the engine's public API (an
 * object's content type or metadata) with characters no header allows, which would otherwise
 * make the answer unwritable.
 */
export function sendableHeaderValue(value: string): string {
  return UNSENDABLE.test(value) ? `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=` : value;
}
