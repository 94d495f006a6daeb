/** Create (202) / Get / List / Update (202) / Delete (202) event source mappings. */
import type { Engine } from '../../engine.js';
import type { CreateMappingInput, StartingPosition, UpdateMappingInput } from '../../mappings/types.js';
import { bool, type JsonObject, list, num, obj, str } from '../protocols/json.js';
import { json, type RestCall } from '../protocols/rest-json.js';
import { WireError } from '../wire-error.js';
import { eventSourceMapping } from './shapes.js';

/** The settings both create and update accept, in the engine's units (ms, not seconds). */
function settings(input: JsonObject): UpdateMappingInput {
  const windowSec = num(input, 'MaximumBatchingWindowInSeconds');
  const types = list(input, 'FunctionResponseTypes');
  const destinations = obj(input, 'DestinationConfig');
  const onFailure = destinations === undefined ? undefined : obj(destinations, 'OnFailure');
  const fields: UpdateMappingInput = {
    batchSize: num(input, 'BatchSize'),
    maximumBatchingWindowMs: windowSec === undefined ? undefined : windowSec * 1000,
    maximumRetryAttempts: num(input, 'MaximumRetryAttempts'),
    maximumRecordAgeSec: num(input, 'MaximumRecordAgeInSeconds'),
    bisectBatchOnFunctionError: bool(input, 'BisectBatchOnFunctionError'),
    parallelizationFactor: num(input, 'ParallelizationFactor'),
    functionResponseTypes: types as UpdateMappingInput['functionResponseTypes'],
    enabled: bool(input, 'Enabled'),
    onFailure: onFailure === undefined ? undefined : (str(onFailure, 'Destination') ?? null),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function mappingOperations(engine: Engine) {
  return {
    async createEventSourceMapping(call: RestCall) {
      const input = call.json();
      const timestamp = num(input, 'StartingPositionTimestamp');
      const { onFailure, ...rest } = settings(input);
      const create: CreateMappingInput = {
        ...rest,
        functionName: str(input, 'FunctionName', true),
        eventSourceArn: str(input, 'EventSourceArn', true),
        startingPosition: str(input, 'StartingPosition', true) as StartingPosition,
        ...(timestamp === undefined ? {} : { startingPositionTimestamp: timestamp * 1000 }),
        ...(typeof onFailure === 'string' ? { onFailure } : {}),
      };
      return json(202, eventSourceMapping(await engine.mappings.create(create)));
    },

    async getEventSourceMapping(call: RestCall) {
      return json(200, eventSourceMapping(await engine.mappings.get(call.labels.get('UUID') ?? '')));
    },

    async listEventSourceMappings(call: RestCall) {
      const q = call.req.query;
      const filter: { functionName?: string; eventSourceArn?: string } = {};
      const functionName = q.get('FunctionName');
      const eventSourceArn = q.get('EventSourceArn');
      if (functionName !== null) filter.functionName = functionName;
      if (eventSourceArn !== null) filter.eventSourceArn = eventSourceArn;
      const mappings = await engine.mappings.list(filter);
      return json(200, { EventSourceMappings: mappings.map(eventSourceMapping) });
    },

    async updateEventSourceMapping(call: RestCall) {
      const input = call.json();
      const functionName = str(input, 'FunctionName');
      if (str(input, 'EventSourceArn') !== undefined) {
        throw new WireError('InvalidParameterValueException', 400, 'EventSourceArn cannot be changed');
      }
      const changes = { ...settings(input), ...(functionName === undefined ? {} : { functionName }) };
      return json(
        202,
        eventSourceMapping(await engine.mappings.update(call.labels.get('UUID') ?? '', changes)),
      );
    },

    async deleteEventSourceMapping(call: RestCall) {
      return json(202, eventSourceMapping(await engine.mappings.delete(call.labels.get('UUID') ?? '')));
    },
  };
}
