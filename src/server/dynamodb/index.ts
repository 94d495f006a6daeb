/** DynamoDB over JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Operation>`). */
import type { Engine } from '../../engine.js';
import { handleJson, type JsonOperation, jsonError } from '../protocols/json.js';
import { JSON_AUTH_CODES, type ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { itemOperations } from './items.js';
import { tableOperations } from './tables.js';

export const DYNAMODB_DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'InternalServerError',
  unavailableCode: 'ServiceUnavailable',
});
const PREFIX = 'DynamoDB_20120810';
/** DynamoDB's request size limit. */
const LIMIT = 16 * 1024 * 1024;

export function dynamodbService(engine: Engine): ServiceModule {
  const operations = new Map<string, JsonOperation>(
    Object.entries({ ...tableOperations(engine), ...itemOperations(engine) }),
  );
  const spec = { targetPrefix: PREFIX, version: '1.0', operations, dialect: DYNAMODB_DIALECT } as const;
  return {
    name: 'dynamodb',
    signingName: 'dynamodb',
    targetPrefixes: [PREFIX],
    maxBodyBytes: () => LIMIT,
    bodyTooLarge: ['ValidationException', 413],
    authCodes: JSON_AUTH_CODES,
    errorResponse: (err) => jsonError(err, DYNAMODB_DIALECT, 'application/x-amz-json-1.0'),
    handle: (req) => handleJson(spec, req),
  };
}
