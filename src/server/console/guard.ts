/**
 * What keeps the console's unsigned API from being a way around the AWS side's protections:
 * - with credentials, HTTP Basic with the same key pair (the browser asks once);
 * - on a loopback bind without credentials, a Host header naming a loopback address, so a web
 *   page that rebinds its own DNS name to 127.0.0.1 cannot read the API;
 * - writes only as `application/json` from the same origin (a cross-site form cannot send that
 *   without a CORS preflight, which the console never answers).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Credentials } from '../sigv4.js';

export interface GuardOptions {
  readonly credentials: Credentials | undefined;
  /** Accept only loopback Host headers (a loopback bind without credentials). */
  readonly loopbackHostsOnly: boolean;
}

export interface GuardInput {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

export type GuardVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 401 | 403 | 415; readonly code: string; readonly message: string };

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkConsoleRequest(input: GuardInput, options: GuardOptions): GuardVerdict {
  const { credentials } = options;
  if (credentials !== undefined) {
    const expected = `Basic ${Buffer.from(`${credentials.accessKeyId}:${credentials.secretAccessKey}`).toString('base64')}`;
    if (input.authorization === undefined || !same(input.authorization, expected)) {
      return {
        ok: false,
        status: 401,
        code: 'AccessDenied',
        message: 'the console needs the server key pair',
      };
    }
  } else if (options.loopbackHostsOnly && (input.host === undefined || !LOOPBACK_HOST.test(input.host))) {
    return {
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: `Host ${input.host ?? '(none)'} is not a loopback address`,
    };
  }
  if (input.method === 'GET' || input.method === 'HEAD') return { ok: true };
  if (input.origin !== undefined && input.host !== undefined && input.origin !== `http://${input.host}`) {
    return {
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: `cross-origin request from ${input.origin}`,
    };
  }
  if (!(input.contentType ?? '').startsWith('application/json')) {
    return {
      ok: false,
      status: 415,
      code: 'UnsupportedMediaType',
      message: 'console API writes take Content-Type: application/json',
    };
  }
  return { ok: true };
}
