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
