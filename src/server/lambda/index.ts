/** Lambda over REST-JSON: paths under `/2015-03-31/` and the other dated API roots. */
import type { Engine } from '../../engine.js';
import { handleRest, type RestRoute, restJsonError } from '../protocols/rest-json.js';
import { JSON_AUTH_CODES, type ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { eventInvokeConfigOperations } from './event-invoke-config.js';
import { functionOperations } from './functions.js';
import { invokeOperations } from './invoke.js';
import { mappingOperations } from './mappings.js';
import { permissionOperations } from './permissions.js';

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'ServiceException',
  unavailableCode: 'ServiceException',
  // Lambda answers these statuses whichever part of the engine raised the error.
  statusOf: new Map([
    ['ResourceNotFoundException', 404],
    ['ResourceConflictException', 409],
    ['ResourceInUseException', 400],
    ['TooManyRequestsException', 429],
    ['RequestTooLargeException', 413],
    ['AccessDeniedException', 403],
  ]),
});

/** Lambda's resource roots after the dated version segment. */
const ROOTS = new Set([
  'functions',
  'event-source-mappings',
  'layers',
  'tags',
  'account-settings',
  'code-signing-configs',
]);
const DATED = /^\/\d{4}-\d{2}-\d{2}\/([a-z-]+)/;

/** Invoke takes up to the 6 MB synchronous payload; CreateFunction a 50 MB zip, base64 in JSON. */
const INVOKE_LIMIT = 6 * 1024 * 1024 + 1024;
const OTHER_LIMIT = 70 * 1024 * 1024;

export function lambdaService(engine: Engine): ServiceModule {
  const fn = functionOperations(engine);
  const inv = invokeOperations(engine);
  const perm = permissionOperations(engine);
  const eic = eventInvokeConfigOperations(engine);
  const esm = mappingOperations(engine);
  const F = '/2015-03-31/functions';
  const routes: RestRoute[] = [
    { method: 'POST', pattern: F, operation: 'CreateFunction', handler: fn.createFunction },
    { method: 'GET', pattern: F, operation: 'ListFunctions', handler: fn.listFunctions },
    { method: 'GET', pattern: `${F}/:FunctionName`, operation: 'GetFunction', handler: fn.getFunction },
    {
      method: 'DELETE',
      pattern: `${F}/:FunctionName`,
      operation: 'DeleteFunction',
      handler: fn.deleteFunction,
    },
    {
      method: 'GET',
      pattern: `${F}/:FunctionName/configuration`,
      operation: 'GetFunctionConfiguration',
      handler: fn.getFunctionConfiguration,
    },
    {
      method: 'PUT',
      pattern: `${F}/:FunctionName/configuration`,
      operation: 'UpdateFunctionConfiguration',
      handler: fn.updateFunctionConfiguration,
    },
    {
      method: 'PUT',
      pattern: `${F}/:FunctionName/code`,
      operation: 'UpdateFunctionCode',
      handler: fn.updateFunctionCode,
    },
    { method: 'POST', pattern: `${F}/:FunctionName/invocations`, operation: 'Invoke', handler: inv.invoke },
    {
      method: 'POST',
      pattern: '/2014-11-13/functions/:FunctionName/invoke-async',
      operation: 'InvokeAsync',
      handler: inv.invokeAsync,
    },
    {
      method: 'POST',
      pattern: `${F}/:FunctionName/policy`,
      operation: 'AddPermission',
      handler: perm.addPermission,
    },
    { method: 'GET', pattern: `${F}/:FunctionName/policy`, operation: 'GetPolicy', handler: perm.getPolicy },
    {
      method: 'DELETE',
      pattern: `${F}/:FunctionName/policy/:StatementId`,
      operation: 'RemovePermission',
      handler: perm.removePermission,
    },
    {
      method: 'PUT',
      pattern: '/2019-09-25/functions/:FunctionName/event-invoke-config',
      operation: 'PutFunctionEventInvokeConfig',
      handler: eic.putFunctionEventInvokeConfig,
    },
    {
      method: 'GET',
      pattern: '/2019-09-25/functions/:FunctionName/event-invoke-config',
      operation: 'GetFunctionEventInvokeConfig',
      handler: eic.getFunctionEventInvokeConfig,
    },
    {
      method: 'DELETE',
      pattern: '/2019-09-25/functions/:FunctionName/event-invoke-config',
      operation: 'DeleteFunctionEventInvokeConfig',
      handler: eic.deleteFunctionEventInvokeConfig,
    },
    {
      method: 'PUT',
      pattern: '/2017-10-31/functions/:FunctionName/concurrency',
      operation: 'PutFunctionConcurrency',
      handler: fn.putFunctionConcurrency,
    },
    {
      method: 'DELETE',
      pattern: '/2017-10-31/functions/:FunctionName/concurrency',
      operation: 'DeleteFunctionConcurrency',
      handler: fn.deleteFunctionConcurrency,
    },
    {
      method: 'GET',
      pattern: '/2019-09-30/functions/:FunctionName/concurrency',
      operation: 'GetFunctionConcurrency',
      handler: fn.getFunctionConcurrency,
    },
    {
      method: 'POST',
      pattern: '/2015-03-31/event-source-mappings',
      operation: 'CreateEventSourceMapping',
      handler: esm.createEventSourceMapping,
    },
    {
      method: 'GET',
      pattern: '/2015-03-31/event-source-mappings',
      operation: 'ListEventSourceMappings',
      handler: esm.listEventSourceMappings,
    },
    {
      method: 'GET',
      pattern: '/2015-03-31/event-source-mappings/:UUID',
      operation: 'GetEventSourceMapping',
      handler: esm.getEventSourceMapping,
    },
    {
      method: 'PUT',
      pattern: '/2015-03-31/event-source-mappings/:UUID',
      operation: 'UpdateEventSourceMapping',
      handler: esm.updateEventSourceMapping,
    },
    {
      method: 'DELETE',
      pattern: '/2015-03-31/event-source-mappings/:UUID',
      operation: 'DeleteEventSourceMapping',
      handler: esm.deleteEventSourceMapping,
    },
  ];
  return {
    name: 'lambda',
    signingName: 'lambda',
    ownsPath: (rawPath) => {
      const root = DATED.exec(rawPath)?.[1];
      return root !== undefined && ROOTS.has(root);
    },
    maxBodyBytes: (_method, rawPath) => (rawPath.endsWith('/invocations') ? INVOKE_LIMIT : OTHER_LIMIT),
    bodyTooLarge: ['RequestTooLargeException', 413],
    authCodes: JSON_AUTH_CODES,
    errorResponse: (err) => restJsonError(err, DIALECT),
    handle: (req) => handleRest(routes, DIALECT, req),
  };
}
