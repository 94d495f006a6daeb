/** Put/Get/DeleteFunctionEventInvokeConfig: retries, event age and destinations of async invokes. */
import type { EventInvokeConfigInput } from '../../dispatch/push/types.js';
import type { Engine } from '../../engine.js';
import { type JsonObject, num, obj, str } from '../protocols/json.js';
import { json, type RestCall } from '../protocols/rest-json.js';
import { eventInvokeConfig } from './shapes.js';

function destination(config: JsonObject | undefined, name: string): string | undefined {
  const target = config === undefined ? undefined : obj(config, name);
  return target === undefined ? undefined : str(target, 'Destination');
}

export function eventInvokeConfigOperations(engine: Engine) {
  return {
    async putFunctionEventInvokeConfig(call: RestCall) {
      const name = call.labels.get('FunctionName') ?? '';
      const input = call.json();
      const destinations = obj(input, 'DestinationConfig');
      const fields: EventInvokeConfigInput = {
        maximumRetryAttempts: num(input, 'MaximumRetryAttempts'),
        maximumEventAgeSec: num(input, 'MaximumEventAgeInSeconds'),
        onSuccess: destination(destinations, 'OnSuccess'),
        onFailure: destination(destinations, 'OnFailure'),
      };
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      const config = await engine.functions.putEventInvokeConfig(name, defined);
      return json(200, eventInvokeConfig(config, (await engine.functions.get(name)).functionArn));
    },

    async getFunctionEventInvokeConfig(call: RestCall) {
      const name = call.labels.get('FunctionName') ?? '';
      const config = await engine.functions.getEventInvokeConfig(name);
      return json(200, eventInvokeConfig(config, (await engine.functions.get(name)).functionArn));
    },

    async deleteFunctionEventInvokeConfig(call: RestCall) {
      await engine.functions.deleteEventInvokeConfig(call.labels.get('FunctionName') ?? '');
      return json(204, undefined);
    },
  };
}
