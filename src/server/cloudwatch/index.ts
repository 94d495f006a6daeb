/**
 * CloudWatch metrics in both protocols its clients speak: awsJson 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, `x-amzn-query-mode: true`; SDK v3) and
 * the query protocol (`Action=...&Version=2010-08-01`, XML; the aws CLI 2.9). Requests with a
 * target are JSON, the others query. The operations are written once (`operations.ts`).
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Engine } from '../../engine.js';
import {
  handleJson,
  type JsonOperation,
  type JsonServiceSpec,
  jsonError,
  type QueryCompatible,
} from '../protocols/json.js';
import { handleQuery, type QueryOperation, queryError, queryParams } from '../protocols/query.js';
import { QUERY_AUTH_CODES, type ServiceModule } from '../service.js';
import { header, type WireRequest, type WireResponse } from '../wire.js';
import { type ErrorDialect, WireError } from '../wire-error.js';
import { metricsOperations } from './operations.js';
import { resultXml, toJson } from './output.js';
import { JsonReader, QueryReader } from './reader.js';

const VERSION = '2010-08-01';
const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const JSON_TYPE = 'application/x-amz-json-1.0';
/** CloudWatch's request limit (PutMetricData: 1 MB), also for a gzip body once inflated. */
const MAX_BODY = 1024 * 1024;
const TOO_LARGE = ['RequestEntityTooLarge', 413] as const;

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'InternalServiceError',
  unavailableCode: 'ServiceUnavailable',
});

const QUERY_COMPATIBLE: QueryCompatible = Object.freeze({
  jsonCodes: new Map([
    ['InvalidParameterValue', 'InvalidParameterValueException'],
    ['MissingParameter', 'MissingRequiredParameterException'],
    ['InvalidParameterCombination', 'InvalidParameterCombinationException'],
    ['InternalServiceError', 'InternalServiceFault'],
  ]),
});

const inflate = promisify(gunzip);

/** SDK v3 gzips PutMetricData bodies from 10 KB (`Content-Encoding: gzip`). */
async function inflated(req: WireRequest): Promise<WireRequest> {
  if (header(req, 'content-encoding')?.toLowerCase() !== 'gzip') return req;
  try {
    return { ...req, body: await inflate(req.body, { maxOutputLength: MAX_BODY }) };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new WireError(TOO_LARGE[0], TOO_LARGE[1], `The inflated request is over ${MAX_BODY} bytes`);
    }
    throw new WireError(
      'InvalidParameterValue',
      400,
      'The request says Content-Encoding: gzip but is not gzip',
    );
  }
}

function isJson(req: WireRequest): boolean {
  return header(req, 'x-amz-target') !== undefined;
}

export function cloudwatchService(engine: Engine): ServiceModule {
  const operations = Object.entries(metricsOperations(engine));
  const jsonSpec: JsonServiceSpec = {
    targetPrefix: TARGET_PREFIX,
    version: '1.0',
    operations: new Map(
      operations.map(([name, run]): [string, JsonOperation] => [
        name,
        async (input) => {
          const out = await run(new JsonReader(input));
          return out === undefined ? {} : toJson(out);
        },
      ]),
    ),
    dialect: DIALECT,
    queryCompatible: QUERY_COMPATIBLE,
  };
  const querySpec = {
    version: VERSION,
    xmlns: `http://monitoring.amazonaws.com/doc/${VERSION}/`,
    operations: new Map(
      operations.map(([name, run]): [string, QueryOperation] => [
        name,
        async (params) => {
          const out = await run(new QueryReader(params));
          return out === undefined ? undefined : resultXml(out);
        },
      ]),
    ),
    dialect: DIALECT,
  };
  const errorResponse = (err: unknown, req: WireRequest): WireResponse =>
    isJson(req)
      ? jsonError(err, DIALECT, JSON_TYPE, QUERY_COMPATIBLE)
      : queryError(err, DIALECT, req.requestId);
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    targetPrefixes: [TARGET_PREFIX],
    queryVersion: VERSION,
    maxBodyBytes: () => MAX_BODY,
    bodyTooLarge: TOO_LARGE,
    // The SDK signs CloudWatch as a JSON service but surfaces the query codes either way.
    authCodes: QUERY_AUTH_CODES,
    errorResponse,
    async handle(req) {
      if (!isJson(req)) return handleQuery(querySpec, req, queryParams(req));
      try {
        return await handleJson(jsonSpec, await inflated(req));
      } catch (err) {
        return errorResponse(err, req);
      }
    },
  };
}
