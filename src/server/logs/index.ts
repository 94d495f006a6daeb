/** CloudWatch Logs over JSON 1.1 (`X-Amz-Target: Logs_20140328.<Operation>`). */
import type { Engine } from '../../engine.js';
import { handleJson, type JsonOperation, jsonError } from '../protocols/json.js';
import { JSON_AUTH_CODES, type ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { logsOperations } from './operations.js';

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'ServiceUnavailableException',
  unavailableCode: 'ServiceUnavailableException',
});
const PREFIX = 'Logs_20140328';

export function logsService(engine: Engine): ServiceModule {
  const operations = new Map<string, JsonOperation>(Object.entries(logsOperations(engine)));
  const spec = { targetPrefix: PREFIX, version: '1.1', operations, dialect: DIALECT } as const;
  return {
    name: 'logs',
    signingName: 'logs',
    targetPrefixes: [PREFIX],
    maxBodyBytes: () => 1024 * 1024,
    bodyTooLarge: ['InvalidParameterException', 413],
    authCodes: JSON_AUTH_CODES,
    errorResponse: (err) => jsonError(err, DIALECT, 'application/x-amz-json-1.1'),
    handle: (req) => handleJson(spec, req),
  };
}
