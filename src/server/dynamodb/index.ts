/** DynamoDB over JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Operation>`). */
import type { Engine } from '../../engine.js';
import { type JsonOperation, jsonModule } from '../protocols/json.js';
import type { ServiceModule } from '../service.js';
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
  return jsonModule({
    name: 'dynamodb',
    signingName: 'dynamodb',
    targetPrefix: PREFIX,
    version: '1.0',
    operations: new Map<string, JsonOperation>(
      Object.entries({ ...tableOperations(engine), ...itemOperations(engine) }),
    ),
    dialect: DYNAMODB_DIALECT,
    maxBodyBytes: LIMIT,
    bodyTooLarge: ['ValidationException', 413],
  });
}
