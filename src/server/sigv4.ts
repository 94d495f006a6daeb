/**
 * SigV4 verification (header and presigned query-string signatures), used only when `serve` is
 * given credentials. Canonicalisation follows what the clients sign: S3 paths as sent, other
 * services' paths normalised and encoded once more (the SDK's `uriEscapePath`, botocore's
 * `quote(path)`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { header } from './wire.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What a request says about its signature, read before its body. */
export interface SignatureInfo {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Presigned (query-string) signature, with its X-Amz-Expires in seconds. */
  readonly presigned?: { readonly expiresSec: number };
  /** X-Amz-Date (or the query's), `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
}

export type AuthFailure = 'missing' | 'malformed' | 'unknownKey' | 'badSignature' | 'expired' | 'bodyHash';

export class AuthError extends Error {
  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

function parseCredential(credential: string): Omit<SignatureInfo, 'signedHeaders' | 'signature' | 'amzDate'> {
  const match = CREDENTIAL.exec(credential);
  if (match === null) throw new AuthError('malformed', `Malformed credential scope: ${credential}`);
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]! };
}

/** The signature a request carries, or undefined for an unsigned request. */
export function readSignature(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): SignatureInfo | undefined {
  const authorization = header({ headers }, 'authorization');
  if (authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
    const fields = new Map<string, string>();
    for (const part of authorization.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (credential === undefined || signedHeaders === undefined || signature === undefined) {
      throw new AuthError(
        'malformed',
        'Authorization header requires Credential, SignedHeaders and Signature',
      );
    }
    return {
      ...parseCredential(credential),
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate: header({ headers }, 'x-amz-date') ?? '',
    };
  }
  if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    const credential = query.get('X-Amz-Credential') ?? '';
    return {
      ...parseCredential(credential),
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate: query.get('X-Amz-Date') ?? '',
      presigned: { expiresSec: Number(query.get('X-Amz-Expires') ?? '900') },
    };
  }
  if (authorization !== undefined) throw new AuthError('malformed', 'Unsupported Authorization header');
  return undefined;
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function canonicalPath(rawPath: string, service: string): string {
  if (service === 's3') return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return escapeUri(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (name === 'X-Amz-Signature') continue;
    pairs.push([escapeUri(name), escapeUri(safeDecode(eq < 0 ? '' : part.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  // Over HTTP/2 the SDK sends (and signs) `host` or `:authority`; Node shows the pseudo-header.
  const value =
    header({ headers }, name) ?? (name === 'host' ? header({ headers }, ':authority') : undefined);
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export interface VerifyInput {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Throws an {@link AuthError} unless the request is signed with `credentials`, within the skew window. */
export function verifySignature(
  info: SignatureInfo | undefined,
  input: VerifyInput,
  credentials: Credentials,
  nowMs: number,
  skewMs: number,
): void {
  if (info === undefined) throw new AuthError('missing', 'Request is missing Authentication Token');
  if (info.accessKeyId !== credentials.accessKeyId) {
    throw new AuthError(
      'unknownKey',
      `The AWS Access Key Id ${info.accessKeyId} does not exist in our records.`,
    );
  }
  const signedAt = amzDateMs(info.amzDate);
  if (Number.isNaN(signedAt)) throw new AuthError('malformed', `Malformed X-Amz-Date: ${info.amzDate}`);
  if (info.presigned !== undefined) {
    if (nowMs > signedAt + info.presigned.expiresSec * 1000 || signedAt > nowMs + skewMs) {
      throw new AuthError('expired', `Request has expired: signed at ${info.amzDate}`);
    }
  } else if (Math.abs(nowMs - signedAt) > skewMs) {
    throw new AuthError(
      'expired',
      `Signature expired: ${info.amzDate} is now earlier or later than ${new Date(nowMs).toISOString()} by more than ${skewMs / 60_000} minutes.`,
    );
  }
  const declared = header(input, 'x-amz-content-sha256');
  const bodyHash = sha256Hex(input.body);
  let payloadHash = bodyHash;
  if (info.presigned !== undefined && info.service === 's3') payloadHash = declared ?? 'UNSIGNED-PAYLOAD';
  else if (declared !== undefined) {
    // Streaming and unsigned payloads are signed by name; their bytes are checked per chunk or not at all.
    const byName = declared === 'UNSIGNED-PAYLOAD' || declared.startsWith('STREAMING-');
    if (!byName && declared !== bodyHash) {
      throw new AuthError(
        'bodyHash',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    payloadHash = declared;
  }
  const canonical = [
    input.method,
    canonicalPath(input.rawPath, info.service),
    canonicalQuery(input.rawQuery),
    ...info.signedHeaders.map((name) => `${name}:${headerValue(input.headers, name)}`),
    '',
    info.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${info.date}/${info.region}/${info.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', info.amzDate, scope, sha256Hex(canonical)].join('\n');
  const kDate = hmac(`AWS4${credentials.secretAccessKey}`, info.date);
  const kSigning = hmac(hmac(hmac(kDate, info.region), info.service), 'aws4_request');
  const expected = Buffer.from(hmac(kSigning, stringToSign).toString('hex'));
  const given = Buffer.from(info.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AuthError(
      'badSignature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}
