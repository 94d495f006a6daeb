/**
 * REST-JSON (Lambda): operations chosen by method and path pattern, JSON bodies, errors as
 * `{ __type, message }` with `x-amzn-errortype` and the operation's status.
 */
import type { WireRequest, WireResponse } from '../wire.js';
import { decodePathPart, type ErrorDialect, WireError } from '../wire-error.js';
import { type JsonObject, jsonError, parseJsonObject } from './json.js';

export interface RestCall {
  readonly req: WireRequest;
  /** Path labels by name (`:FunctionName` in the pattern), decoded. */
  readonly labels: ReadonlyMap<string, string>;
  /** The JSON body; `{}` when empty (Invoke reads `req.body` itself). */
  json(): JsonObject;
}

export type RestHandler = (call: RestCall) => Promise<WireResponse>;

export interface RestRoute {
  readonly method: string;
  /** e.g. `/2015-03-31/functions/:FunctionName/invocations`; a trailing slash is optional. */
  readonly pattern: string;
  readonly operation: string;
  readonly handler: RestHandler;
}

function match(pattern: string, rawPath: string): Map<string, string> | undefined {
  const want = pattern.split('/').filter((s) => s !== '');
  const have = rawPath.split('/').filter((s) => s !== '');
  if (want.length !== have.length) return undefined;
  const labels = new Map<string, string>();
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) labels.set(w.slice(1), decodePathPart(have[i]!, 'InvalidParameterValueException'));
    else if (w !== have[i]) return undefined;
  }
  return labels;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function restJsonError(err: unknown, dialect: ErrorDialect): WireResponse {
  return jsonError(err, dialect, 'application/json');
}

export async function handleRest(
  routes: readonly RestRoute[],
  dialect: ErrorDialect,
  req: WireRequest,
): Promise<WireResponse> {
  try {
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const labels = match(route.pattern, req.rawPath);
      if (labels === undefined) continue;
      return await route.handler({ req, labels, json: () => parseJsonObject(req.body) });
    }
    throw new WireError(
      'UnknownOperationException',
      400,
      `${req.method} ${req.rawPath} is not an operation lambdalite supports`,
    );
  } catch (err) {
    return restJsonError(err, dialect);
  }
}
