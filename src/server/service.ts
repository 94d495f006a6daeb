/**
 * What the router knows of each service: how real clients address it, how large a request it
 * takes, how it shapes errors. Adding a service is one more module that implements this.
 */
import type { AuthFailure } from './sigv4.js';
import type { WireRequest, WireResponse } from './wire.js';

export interface ServiceModule {
  /** For messages and tests: 's3', 'lambda', 'kinesis', ... */
  readonly name: string;
  /** The service name in the SigV4 credential scope. */
  readonly signingName: string;
  /** `X-Amz-Target` prefixes (before the dot) this service answers. */
  readonly targetPrefixes?: readonly string[];
  /** REST paths this service owns (Lambda's `/2015-03-31/...`). */
  readonly ownsPath?: (rawPath: string) => boolean;
  /** Query-protocol `Version` this service answers. */
  readonly queryVersion?: string;
  /**
   * Largest request body accepted for a path (an operation's own limit where it has one);
   * larger ones are refused before they are read whole.
   */
  maxBodyBytes(method: string, rawPath: string): number;
  /** AWS's code and status for a body over `maxBodyBytes`. */
  readonly bodyTooLarge: readonly [code: string, status: number];
  /** Codes for signature failures, in the service's vocabulary. */
  readonly authCodes: AuthCodes;
  handle(req: WireRequest): Promise<WireResponse>;
  /** Answers an error raised outside `handle` (signature, size) in the service's own shape. */
  errorResponse(err: unknown, req: WireRequest): WireResponse;
}

/** AWS's code and status for each signature failure, per protocol family. */
export type AuthCodes = Readonly<Record<AuthFailure, readonly [code: string, status: number]>>;

export const JSON_AUTH_CODES: AuthCodes = Object.freeze({
  missing: ['MissingAuthenticationTokenException', 403],
  malformed: ['IncompleteSignatureException', 400],
  unknownKey: ['UnrecognizedClientException', 403],
  badSignature: ['InvalidSignatureException', 403],
  expired: ['InvalidSignatureException', 403],
  bodyHash: ['InvalidSignatureException', 403],
});

export const QUERY_AUTH_CODES: AuthCodes = Object.freeze({
  missing: ['MissingAuthenticationToken', 403],
  malformed: ['IncompleteSignature', 400],
  unknownKey: ['InvalidClientTokenId', 403],
  badSignature: ['SignatureDoesNotMatch', 403],
  expired: ['RequestExpired', 403],
  bodyHash: ['SignatureDoesNotMatch', 403],
});

export const S3_AUTH_CODES: AuthCodes = Object.freeze({
  missing: ['AccessDenied', 403],
  malformed: ['AuthorizationHeaderMalformed', 400],
  unknownKey: ['InvalidAccessKeyId', 403],
  badSignature: ['SignatureDoesNotMatch', 403],
  expired: ['RequestTimeTooSkewed', 403],
  bodyHash: ['XAmzContentSHA256Mismatch', 400],
});
