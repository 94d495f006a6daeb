/**
 * The engine side of `lambdalite/sdk`: each call of a function is checked against its execution
 * role with the action and resource AWS would use (the operations table in
 * src/runtime/sdk/operations.ts, which the worker side is made from too), then run on the
 * engine's service. Session name of the assumed role: the function name.
 */
import type { Arns } from '../arn.js';
import type { Buckets } from '../buckets/buckets.js';
import { ALLOWED, fail, refused, type Verdict } from '../errors.js';
import type { Invocations } from '../functions/invocations.js';
import type { FunctionConfiguration } from '../functions/types.js';
import type { Authorizer } from '../iam/authorizer.js';
import { findOperation, type Need, type SdkApi } from '../runtime/sdk/operations.js';
import type { StreamService } from '../streams/stream-service.js';
import type { TableService } from '../tables/table-service.js';

export interface SdkServices {
  readonly buckets: Buckets;
  readonly streams: StreamService;
  readonly tables: TableService;
  /** The invoke path without the engine caller's check: the call was checked against the role. */
  readonly invocations: Invocations;
}

const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** The services as the SDK's table names them (the invoke path stands in for `functions`). */
function sdkApi(services: SdkServices): SdkApi {
  const { invocations } = services;
  return {
    buckets: services.buckets,
    streams: services.streams,
    tables: services.tables,
    functions: {
      invoke: (name, payload, options) => invocations.invoke(name, payload, options),
      invokeAsync: (name, payload) => invocations.invoke(name, payload, { invocationType: 'Event' }),
    },
  };
}

export class SdkHost {
  #api: SdkApi | undefined;

  /**
   * `services` is read at the first call: the services are built after the runtime that hosts
   * this (they need the runtime; the runtime needs this), so the engine passes a getter.
   */
  constructor(
    private readonly authorizer: Authorizer,
    private readonly arns: Arns,
    private readonly services: () => SdkServices,
  ) {}

  /** Checks `service.method(...args)` against the function's execution role, then runs it. */
  async call(
    config: FunctionConfiguration,
    service: string,
    method: string,
    args: unknown[],
  ): Promise<unknown> {
    const operation = findOperation(service, method);
    if (!operation || !Array.isArray(args)) {
      return fail('InvalidParameterValueException', `lambdalite/sdk has no operation ${service}.${method}`);
    }
    for (const need of operation.needs(this.arns, args)) await this.#check(config, need);
    this.#api ??= sdkApi(this.services());
    return operation.run(this.#api, args);
  }

  async #check(config: FunctionConfiguration, need: Need): Promise<void> {
    const options = { session: config.functionName, ...(need.context ? { context: need.context } : {}) };
    if (need.anyOf) {
      const result = await this.authorizer.authorizeRoleAnyOf(config.role, need.anyOf, need.resource);
      if (result.decision === 'Allow') return;
    }
    await this.authorizer.assertRoleAllows(config.role, need.action, need.resource, options);
  }

  /** Whether the role may create and write the function's log group (reference §7.1). */
  async logsAccess(config: FunctionConfiguration): Promise<Verdict> {
    const resource = this.arns.logGroup(`/aws/lambda/${config.functionName}`);
    for (const action of LOG_ACTIONS) {
      const result = await this.authorizer.authorizeRole(config.role, action, resource);
      if (result.decision !== 'Allow') {
        return refused(
          'AccessDeniedException',
          `logs of ${config.functionName} are dropped: its execution role ${config.role} is not authorized to perform: ${action} on resource: ${resource}`,
        );
      }
    }
    return ALLOWED;
  }
}
