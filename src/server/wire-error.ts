/**
 * Errors the server raises itself (protocol and signature problems the engine never sees), and
 * the translation of any error into the code and status a service's clients expect.
 */
import { isLambdaliteError } from '../errors.js';

/** An error answered on the wire with AWS's code, status and message. */
export class WireError extends Error {
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, statusCode: number, message: string) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/**
 * A percent-encoded path part, decoded; a malformed escape (`%FF`, `%`, an encoded lone
 * surrogate) is the caller's error `code`, not an internal failure.
 */
export function decodePathPart(text: string, code: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new WireError(code, 400, `The path part '${text}' is not valid percent-encoded UTF-8`);
  }
}

export interface WireErrorShape {
  code: string;
  status: number;
  message: string;
}

/**
 * How a service renames or re-statuses engine errors (e.g. Lambda's ResourceNotFoundException
 * is 404 whatever part raised it) and names an unexpected failure.
 */
export interface ErrorDialect {
  readonly internalCode: string;
  readonly unavailableCode: string;
  readonly statusOf?: ReadonlyMap<string, number>;
}

/** The wire code, status and message of any thrown value under a service's dialect. */
export function wireErrorOf(err: unknown, dialect: ErrorDialect): WireErrorShape {
  if (err instanceof WireError) return { code: err.code, status: err.statusCode, message: err.message };
  if (isLambdaliteError(err)) {
    if (err.code === 'EngineClosed') {
      return { code: dialect.unavailableCode, status: 503, message: err.message };
    }
    return {
      code: err.code,
      status: dialect.statusOf?.get(err.code) ?? err.statusCode,
      message: err.message,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: dialect.internalCode, status: 500, message: `Internal failure: ${message}` };
}
