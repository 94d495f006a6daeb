/**
 * Invoke (RequestResponse 200, Event 202, DryRun 204; `X-Amz-Function-Error`,
 * `X-Amz-Log-Type: Tail` -> `X-Amz-Log-Result`) and the 2014 InvokeAsync (202).
 */
import type { Engine } from '../../engine.js';
import type { InvokeOptions } from '../../functions/types.js';
import { json, type RestCall } from '../protocols/rest-json.js';
import { header } from '../wire.js';
import { WireError } from '../wire-error.js';

function payloadOf(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WireError(
      'InvalidRequestContentException',
      400,
      'Could not parse request body into json: Unexpected character',
    );
  }
}

const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);

export function invokeOperations(engine: Engine) {
  return {
    async invoke(call: RestCall) {
      const name = call.labels.get('FunctionName') ?? '';
      const type = header(call.req, 'x-amz-invocation-type') ?? 'RequestResponse';
      if (!INVOCATION_TYPES.has(type)) {
        throw new WireError('InvalidParameterValueException', 400, `Unsupported invocation type: ${type}`);
      }
      const options: InvokeOptions = { invocationType: type as NonNullable<InvokeOptions['invocationType']> };
      if (header(call.req, 'x-amz-log-type') === 'Tail') options.logType = 'Tail';
      const result = await engine.functions.invoke(name, payloadOf(call.req.body), options);
      const headers: Record<string, string> = { 'x-amzn-RequestId': result.requestId };
      if (result.executedVersion !== undefined) headers['x-amz-executed-version'] = result.executedVersion;
      if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
      if (result.logResult !== undefined) headers['x-amz-log-result'] = result.logResult;
      if (result.statusCode !== 200) return { status: result.statusCode, headers };
      return json(200, result.payload === undefined ? null : result.payload, headers);
    },

    async invokeAsync(call: RestCall) {
      const result = await engine.functions.invokeAsync(
        call.labels.get('FunctionName') ?? '',
        payloadOf(call.req.body),
      );
      return json(202, { Status: 202 }, { 'x-amzn-RequestId': result.requestId });
    },
  };
}
