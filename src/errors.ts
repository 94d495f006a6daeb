/**
 * Typed errors. Every failure a caller can cause is a {@link LambdaliteError} whose `code` is a
 * stable name in AWS's vocabulary and whose message names the offending value.
 *
 * @example
 * try { await engine.buckets.getObject('photos', 'missing.jpg'); }
 * catch (err) { if (isLambdaliteError(err, 'NoSuchKey')) { ... } }
 */

interface CodeInfo {
  /** HTTP status AWS answers with; a service that differs passes `statusCode` explicitly. */
  readonly status: number;
  /** Whether retrying the same call later may succeed. */
  readonly retriable?: boolean;
}

/** Every code the engine raises, with its default HTTP status. */
export const ERROR_CODES = Object.freeze({
  // S3
  NoSuchBucket: { status: 404 },
  NoSuchKey: { status: 404 },
  BucketAlreadyOwnedByYou: { status: 409 },
  BucketNotEmpty: { status: 409 },
  InvalidBucketName: { status: 400 },
  KeyTooLongError: { status: 400 },
  MetadataTooLarge: { status: 400 },
  EntityTooLarge: { status: 400 },
  InvalidArgument: { status: 400 },
  InvalidRequest: { status: 400 },
  AccessDenied: { status: 403 },
  SlowDown: { status: 503, retriable: true },
  // Kinesis, DynamoDB
  ResourceNotFoundException: { status: 400 },
  ResourceInUseException: { status: 400 },
  InvalidArgumentException: { status: 400 },
  ValidationException: { status: 400 },
  ExpiredIteratorException: { status: 400 },
  LimitExceededException: { status: 400, retriable: true },
  ProvisionedThroughputExceededException: { status: 400, retriable: true },
  ConditionalCheckFailedException: { status: 400 },
  // Lambda
  InvalidParameterValueException: { status: 400 },
  InvalidRequestContentException: { status: 400 },
  RequestTooLargeException: { status: 413 },
  ResourceConflictException: { status: 409 },
  TooManyRequestsException: { status: 429, retriable: true },
  AccessDeniedException: { status: 403 },
  InvalidZipFileException: { status: 400 },
  ServiceException: { status: 500, retriable: true },
  // CloudWatch Logs
  InvalidParameterException: { status: 400 },
  // IAM
  NoSuchEntity: { status: 404 },
  EntityAlreadyExists: { status: 409 },
  MalformedPolicyDocument: { status: 400 },
  DeleteConflict: { status: 409 },
  ValidationError: { status: 400 },
  // CloudWatch
  InvalidParameterValue: { status: 400 },
  MissingParameter: { status: 400 },
  InvalidParameterCombination: { status: 400 },
  // Engine
  EngineClosed: { status: 503 },
} satisfies Record<string, CodeInfo>);

export type ErrorCode = keyof typeof ERROR_CODES;

export interface LambdaliteErrorOptions {
  cause?: unknown;
  /** Overrides the code's default status, e.g. Lambda's 404 ResourceNotFoundException. */
  statusCode?: number;
  retriable?: boolean;
}

/** Base class of every error the engine raises on purpose. */
export class LambdaliteError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: LambdaliteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info: CodeInfo = ERROR_CODES[code];
    // As AWS SDK v3 errors: `err.name === 'NoSuchKey'` (instanceof still tells the class).
    this.name = code;
    this.code = code;
    this.statusCode = options.statusCode ?? info.status;
    this.retriable = options.retriable ?? info.retriable ?? false;
  }

  toJSON(): { code: ErrorCode; message: string; statusCode: number } {
    return { code: this.code, message: this.message, statusCode: this.statusCode };
  }
}

/** True when `err` is a {@link LambdaliteError}, optionally with the given code. */
export function isLambdaliteError(err: unknown, code?: ErrorCode): err is LambdaliteError {
  return err instanceof LambdaliteError && (code === undefined || err.code === code);
}

/** Shorthand for `throw new LambdaliteError(...)` in expression position. */
export function fail(code: ErrorCode, message: string, options?: LambdaliteErrorOptions): never {
  throw new LambdaliteError(code, message, options);
}

/**
 * The answer of an internal check: allowed, or refused with a code and a reason as separate
 * values (a code never travels inside a text). Named apart from IAM's `Decision`, the result of
 * one policy evaluation.
 */
export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: ErrorCode; readonly reason: string };

export const ALLOWED: Verdict = Object.freeze({ allowed: true });

export function refused(code: ErrorCode, reason: string): Verdict {
  return { allowed: false, code, reason };
}
