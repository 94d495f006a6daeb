/** IAM over the query protocol (`Action=...&Version=2010-05-08`, XML replies). */
import type { Engine } from '../../engine.js';
import { handleQuery, queryError, queryParams } from '../protocols/query.js';
import { QUERY_AUTH_CODES, type ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { roleOperations } from './roles.js';

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'ServiceFailure',
  unavailableCode: 'ServiceFailure',
});
const VERSION = '2010-05-08';

export function iamService(engine: Engine): ServiceModule {
  const spec = {
    version: VERSION,
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    operations: new Map(Object.entries(roleOperations(engine))),
    dialect: DIALECT,
  };
  return {
    name: 'iam',
    signingName: 'iam',
    queryVersion: VERSION,
    maxBodyBytes: () => 1024 * 1024,
    bodyTooLarge: ['ValidationError', 413],
    authCodes: QUERY_AUTH_CODES,
    errorResponse: (err, req) => queryError(err, DIALECT, req.requestId),
    handle: (req) => handleQuery(spec, req, queryParams(req)),
  };
}
