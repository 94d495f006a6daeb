/** The console API's answers: JSON bodies, errors as `{ code, message }` with AWS's status. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isLambdaliteError, LambdaliteError } from '../../../errors.js';
import { PipelineError } from '../../../pipeline/errors.js';

export interface ApiErrorBody {
  code: string;
  message: string;
  issues?: unknown[];
}

export function errorResponse(c: Context, err: unknown): Response {
  if (isLambdaliteError(err)) {
    const body: ApiErrorBody = { code: err.code, message: err.message };
    if (err instanceof PipelineError) body.issues = [...err.issues];
    return c.json(body, err.statusCode as ContentfulStatusCode);
  }
  const message = err instanceof Error ? err.message : String(err);
  return c.json({ code: 'InternalError', message } satisfies ApiErrorBody, 500);
}

/** The request's JSON body as an object; anything else is the caller's error. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = await c.req.json();
  } catch {
    throw new LambdaliteError('InvalidRequestContentException', 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LambdaliteError('InvalidRequestContentException', 'the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A whole-number query parameter within bounds, or the default; names the parameter when refused. */
export function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LambdaliteError(
      'InvalidArgument',
      `${name} must be a whole number in ${min}..${max}, got ${raw}`,
    );
  }
  return value;
}
