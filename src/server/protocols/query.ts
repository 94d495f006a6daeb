/**
 * The AWS query protocol (IAM, CloudWatch as the aws CLI speaks it): a form body
 * `Action=<Op>&Version=<date>&...`, an XML reply `<OpResponse><OpResult>...` and errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 */
import type { WireRequest, WireResponse } from '../wire.js';
import { type ErrorDialect, WireError, wireErrorOf } from '../wire-error.js';
import { type XmlNode, xmlDocument } from './xml.js';

export type QueryOperation = (
  params: URLSearchParams,
  req: WireRequest,
) => Promise<readonly XmlNode[] | undefined>;

export interface QueryServiceSpec {
  readonly version: string;
  readonly xmlns: string;
  readonly operations: ReadonlyMap<string, QueryOperation>;
  readonly dialect: ErrorDialect;
}

/** The request's parameters: the query string merged with a form body. */
export function queryParams(req: WireRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  if (req.body.length > 0) {
    for (const [name, value] of new URLSearchParams(req.body.toString('utf8'))) params.append(name, value);
  }
  return params;
}

export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null) {
    throw new WireError(
      'ValidationError',
      400,
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** Who is at fault, in the query protocol's words. */
export function faultOf(status: number): 'Sender' | 'Receiver' {
  return status >= 500 ? 'Receiver' : 'Sender';
}

export function queryError(err: unknown, dialect: ErrorDialect, requestId: string): WireResponse {
  const { code, status, message } = wireErrorOf(err, dialect);
  const type = faultOf(status);
  const body = xmlDocument([
    'ErrorResponse',
    [
      [
        'Error',
        [
          ['Type', type],
          ['Code', code],
          ['Message', message],
        ],
      ],
      ['RequestId', requestId],
    ],
  ]);
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

export async function handleQuery(
  spec: QueryServiceSpec,
  req: WireRequest,
  params: URLSearchParams,
): Promise<WireResponse> {
  try {
    const action = params.get('Action') ?? '';
    const run = spec.operations.get(action);
    if (run === undefined) {
      throw new WireError(
        'InvalidAction',
        400,
        `The action ${action || '(none)'} is not valid for this web service (not supported by lambdalite).`,
      );
    }
    const result = await run(params, req);
    const body = xmlDocument(
      [
        `${action}Response`,
        [
          ...(result === undefined ? [] : [[`${action}Result`, result] as XmlNode]),
          ['ResponseMetadata', [['RequestId', req.requestId]]],
        ],
      ],
      spec.xmlns,
    );
    return { status: 200, headers: { 'content-type': 'text/xml' }, body };
  } catch (err) {
    return queryError(err, spec.dialect, req.requestId);
  }
}
