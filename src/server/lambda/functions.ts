/**
 * CreateFunction, GetFunction(Configuration), ListFunctions, DeleteFunction, UpdateFunctionCode,
 * UpdateFunctionConfiguration, Put/Get/DeleteFunctionConcurrency.
 */
import type { Engine } from '../../engine.js';
import type { FunctionCode } from '../../functions/types.js';
import { type JsonObject, num, obj, str } from '../protocols/json.js';
import { json, type RestCall } from '../protocols/rest-json.js';
import { WireError } from '../wire-error.js';
import { functionConfiguration } from './shapes.js';

function invalid(message: string): WireError {
  return new WireError('InvalidParameterValueException', 400, message);
}

/** `Code` as the engine's code: an inline zip, or a zip object already in one of the engine's buckets. */
async function codeOf(engine: Engine, code: JsonObject): Promise<FunctionCode> {
  const zip = str(code, 'ZipFile');
  if (zip !== undefined) return { zipFile: Buffer.from(zip, 'base64') };
  const bucket = str(code, 'S3Bucket');
  const key = str(code, 'S3Key');
  if (bucket !== undefined && key !== undefined)
    return { zipFile: (await engine.buckets.getObject(bucket, key)).body };
  throw invalid('Code must give ZipFile, or S3Bucket and S3Key (container images are not supported)');
}

function variables(input: JsonObject): Record<string, string> | undefined {
  const env = obj(input, 'Environment');
  const vars = env === undefined ? undefined : obj(env, 'Variables');
  if (vars === undefined) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string') throw invalid(`Environment variable ${k} must be a string`);
    out[k] = v;
  }
  return out;
}

function label(call: RestCall): string {
  return call.labels.get('FunctionName') ?? '';
}

export function functionOperations(engine: Engine) {
  return {
    async createFunction(call: RestCall) {
      const input = call.json();
      const runtime = str(input, 'Runtime');
      if (runtime !== undefined && !runtime.startsWith('nodejs')) {
        throw invalid(
          `The runtime parameter of ${runtime} is not supported: lambdalite runs nodejs functions`,
        );
      }
      const code = obj(input, 'Code');
      if (code === undefined) throw invalid('Code is required');
      const environment = variables(input);
      const memoryMb = num(input, 'MemorySize');
      const timeoutSec = num(input, 'Timeout');
      const description = str(input, 'Description');
      const config = await engine.functions.create({
        name: str(input, 'FunctionName', true),
        handler: str(input, 'Handler', true),
        role: str(input, 'Role', true),
        code: await codeOf(engine, code),
        ...(memoryMb === undefined ? {} : { memoryMb }),
        ...(timeoutSec === undefined ? {} : { timeoutSec }),
        ...(environment === undefined ? {} : { environment }),
        ...(description === undefined ? {} : { description }),
      });
      return json(201, functionConfiguration(config));
    },

    async getFunction(call: RestCall) {
      const config = await engine.functions.get(label(call));
      return json(200, {
        Configuration: functionConfiguration(config),
        Code: { RepositoryType: 'S3', Location: '' },
        ...(config.reservedConcurrency === undefined
          ? {}
          : { Concurrency: { ReservedConcurrentExecutions: config.reservedConcurrency } }),
      });
    },

    async getFunctionConfiguration(call: RestCall) {
      return json(200, functionConfiguration(await engine.functions.get(label(call))));
    },

    async listFunctions(_call: RestCall) {
      const functions = await engine.functions.list();
      return json(200, { Functions: functions.map(functionConfiguration) });
    },

    async deleteFunction(call: RestCall) {
      await engine.functions.delete(label(call));
      return json(204, undefined);
    },

    async updateFunctionCode(call: RestCall) {
      const config = await engine.functions.update(label(call), { code: await codeOf(engine, call.json()) });
      return json(200, functionConfiguration(config));
    },

    async updateFunctionConfiguration(call: RestCall) {
      const input = call.json();
      const environment = variables(input);
      const fields = {
        handler: str(input, 'Handler'),
        role: str(input, 'Role'),
        description: str(input, 'Description'),
        memoryMb: num(input, 'MemorySize'),
        timeoutSec: num(input, 'Timeout'),
        environment,
      };
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      return json(200, functionConfiguration(await engine.functions.update(label(call), defined)));
    },

    async putFunctionConcurrency(call: RestCall) {
      const reserved = num(call.json(), 'ReservedConcurrentExecutions');
      if (reserved === undefined) throw invalid('ReservedConcurrentExecutions is required');
      const config = await engine.functions.update(label(call), { reservedConcurrency: reserved });
      return json(200, { ReservedConcurrentExecutions: config.reservedConcurrency });
    },

    async getFunctionConcurrency(call: RestCall) {
      const config = await engine.functions.get(label(call));
      return json(
        200,
        config.reservedConcurrency === undefined
          ? {}
          : { ReservedConcurrentExecutions: config.reservedConcurrency },
      );
    },

    async deleteFunctionConcurrency(call: RestCall) {
      await engine.functions.update(label(call), { reservedConcurrency: null });
      return json(204, undefined);
    },
  };
}
