/**
 * The awsJson 1.0 / 1.1 protocols (Kinesis, DynamoDB, DynamoDB Streams, CloudWatch Logs,
 * CloudWatch's JSON mode): POST /, `X-Amz-Target: <Prefix>.<Operation>`, a JSON object in, a
 * JSON object out; errors as `{ __type, message }` with `x-amzn-errortype`.
 */
import { JSON_AUTH_CODES, type ServiceModule } from '../service.js';
import type { WireRequest, WireResponse } from '../wire.js';
import { header } from '../wire.js';
import { type ErrorDialect, WireError, wireErrorOf } from '../wire-error.js';
import { JsonBytes } from './json-bytes.js';
import { faultOf } from './query.js';

/** A JSON body as a null-prototype-safe record: only own keys are ever read. */
export type JsonObject = Readonly<Record<string, unknown>>;

export type JsonOperation = (input: JsonObject, req: WireRequest) => Promise<unknown>;

export interface JsonServiceSpec {
  /** `Kinesis_20131202`, `DynamoDB_20120810`, ... */
  readonly targetPrefix: string;
  readonly version: '1.0' | '1.1';
  readonly operations: ReadonlyMap<string, JsonOperation>;
  readonly dialect: ErrorDialect;
  /** For awsQueryCompatible services (CloudWatch): see `QueryCompatible`. */
  readonly queryCompatible?: QueryCompatible;
}

/**
 * A service that speaks both the query protocol and awsJson (CloudWatch): its engine codes are
 * its query codes; JSON errors name the error shape in `__type` and carry the query code and
 * fault in `x-amzn-query-error`, from which the SDK rebuilds the query-style error.
 */
export interface QueryCompatible {
  /** JSON shape names by query code (`InvalidParameterValue` -> `InvalidParameterValueException`). */
  readonly jsonCodes: ReadonlyMap<string, string>;
}

/** The JSON request body as an object; an empty body is `{}`. */
export function parseJsonObject(body: Buffer): JsonObject {
  if (body.length === 0) return Object.create(null) as JsonObject;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WireError('SerializationException', 400, 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WireError('SerializationException', 400, 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

/** Reads a member that must be a string when present. */
export function str(input: JsonObject, name: string, required: true): string;
export function str(input: JsonObject, name: string, required?: false): string | undefined;
export function str(input: JsonObject, name: string, required = false): string | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) {
    if (required)
      throw new WireError('ValidationException', 400, `1 validation error detected: ${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new WireError(
      'SerializationException',
      400,
      `${name} must be a string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reads a member that must be a number when present. */
export function num(input: JsonObject, name: string): number | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') {
    throw new WireError(
      'SerializationException',
      400,
      `${name} must be a number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reads a member that must be a boolean when present. */
export function bool(input: JsonObject, name: string): boolean | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw new WireError(
      'SerializationException',
      400,
      `${name} must be a boolean, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reads a member that must be a JSON object when present. */
export function obj(input: JsonObject, name: string): JsonObject | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError('SerializationException', 400, `${name} must be an object`);
  }
  return value as JsonObject;
}

/** Reads a member that must be a list when present. */
export function list(input: JsonObject, name: string): readonly unknown[] | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new WireError('SerializationException', 400, `${name} must be a list`);
  return value;
}

export function jsonResponse(
  status: number,
  body: unknown,
  contentType: string,
  extra?: Record<string, string>,
): WireResponse {
  const text = body === undefined ? '' : JSON.stringify(body);
  return { status, headers: { 'content-type': contentType, ...extra }, body: text };
}

/** A JSON error in the shape every awsJson and REST-JSON client parses. */
export function jsonError(
  err: unknown,
  dialect: ErrorDialect,
  contentType: string,
  queryCompatible?: QueryCompatible,
): WireResponse {
  const { code, status, message } = wireErrorOf(err, dialect);
  if (queryCompatible === undefined) {
    return jsonResponse(status, { __type: code, message }, contentType, { 'x-amzn-errortype': code });
  }
  const type = queryCompatible.jsonCodes.get(code) ?? code;
  return jsonResponse(status, { __type: type, message }, contentType, {
    'x-amzn-errortype': type,
    'x-amzn-query-error': `${code};${faultOf(status)}`,
  });
}

/** Runs one awsJson request: finds the operation named by the target, answers its result. */
export async function handleJson(spec: JsonServiceSpec, req: WireRequest): Promise<WireResponse> {
  const contentType = `application/x-amz-json-${spec.version}`;
  try {
    const target = header(req, 'x-amz-target') ?? '';
    const dot = target.indexOf('.');
    const operation = dot < 0 ? target : target.slice(dot + 1);
    const run = target.slice(0, dot) === spec.targetPrefix ? spec.operations.get(operation) : undefined;
    if (run === undefined) {
      throw new WireError(
        'UnknownOperationException',
        400,
        `Operation ${operation || '(none)'} is not supported by lambdalite`,
      );
    }
    const result = await run(parseJsonObject(req.body), req);
    if (result instanceof JsonBytes)
      return { status: 200, headers: { 'content-type': contentType }, body: result.body };
    return jsonResponse(200, result ?? {}, contentType);
  } catch (err) {
    return jsonError(err, spec.dialect, contentType, spec.queryCompatible);
  }
}

/** What an awsJson service module needs beyond its operations. */
export interface JsonModuleSpec extends JsonServiceSpec {
  readonly name: string;
  readonly signingName: string;
  readonly maxBodyBytes: number;
  readonly bodyTooLarge: readonly [code: string, status: number];
}

/** A whole awsJson service module (Kinesis, DynamoDB, DynamoDB Streams, CloudWatch Logs). */
export function jsonModule(spec: JsonModuleSpec): ServiceModule {
  const contentType = `application/x-amz-json-${spec.version}`;
  return {
    name: spec.name,
    signingName: spec.signingName,
    targetPrefixes: [spec.targetPrefix],
    maxBodyBytes: () => spec.maxBodyBytes,
    bodyTooLarge: spec.bodyTooLarge,
    authCodes: JSON_AUTH_CODES,
    errorResponse: (err) => jsonError(err, spec.dialect, contentType, spec.queryCompatible),
    handle: (req) => handleJson(spec, req),
  };
}
