/** CloudWatch Logs over JSON 1.1 (`X-Amz-Target: Logs_20140328.<Operation>`). */
import type { Engine } from '../../engine.js';
import { type JsonOperation, jsonModule } from '../protocols/json.js';
import type { ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { logsOperations } from './operations.js';

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'ServiceUnavailableException',
  unavailableCode: 'ServiceUnavailableException',
});
const PREFIX = 'Logs_20140328';

export function logsService(engine: Engine): ServiceModule {
  return jsonModule({
    name: 'logs',
    signingName: 'logs',
    targetPrefix: PREFIX,
    version: '1.1',
    operations: new Map<string, JsonOperation>(Object.entries(logsOperations(engine))),
    dialect: DIALECT,
    maxBodyBytes: 1024 * 1024,
    bodyTooLarge: ['InvalidParameterException', 413],
  });
}
