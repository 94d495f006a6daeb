/**
 * The engine side of `lambdalite/sdk`: each call of a function is checked against its execution
 * role with the action and resource AWS would use (docs/notes/iam.md, the enforcement table),
 * then run on the engine's service. Session name of the assumed role: the function name.
 */
import type { Arns } from '../arn.js';
import type { Buckets } from '../buckets/buckets.js';
import { fail } from '../errors.js';
import type { Invocations } from '../functions/invocations.js';
import type { FunctionConfiguration } from '../functions/types.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { RequestContext } from '../iam/types.js';
import type { StreamService } from '../streams/stream-service.js';
import type { TableService } from '../tables/table-service.js';

export interface SdkServices {
  readonly buckets: Buckets;
  readonly streams: StreamService;
  readonly tables: TableService;
  /** The invoke path without the engine caller's check: the call was checked against the role. */
  readonly invocations: Invocations;
}

/** One permission a call needs. */
interface Need {
  action: string;
  resource: string;
  context?: RequestContext;
  /** Allowed when any of these actions is (lambda:InvokeAsync or lambda:InvokeFunction). */
  anyOf?: readonly string[];
}

interface Operation {
  needs(args: unknown[]): Need[];
  run(args: unknown[]): Promise<unknown>;
}

const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** The value `get` returns, computed once at the first call. */
function lazy<T>(get: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= get();
    return value;
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));

export class SdkHost {
  readonly #operations: Record<string, Record<string, Operation>>;

  /**
   * `services` is read at the first call: the services are built after the runtime that hosts
   * this (they need the runtime; the runtime needs this), so the engine passes a getter.
   */
  constructor(
    private readonly authorizer: Authorizer,
    private readonly arns: Arns,
    services: () => SdkServices,
  ) {
    const buckets = lazy(() => services().buckets);
    const streams = lazy(() => services().streams);
    const tables = lazy(() => services().tables);
    const functions = lazy(() => services().invocations);
    const object = (args: unknown[], at = 0) => arns.object(text(args[at]), text(args[at + 1]));
    const stream = (name: unknown) => (text(name).startsWith('arn:') ? text(name) : arns.stream(text(name)));
    const table = (name: unknown) => (text(name).startsWith('arn:') ? text(name) : arns.table(text(name)));
    const fn = (name: unknown) => (text(name).startsWith('arn:') ? text(name) : arns.function(text(name)));
    // Arguments arrive from the function as plain data; each service validates them as it does
    // for any caller (wrong shapes fail with the service's own error code).
    const a = (args: unknown[], i: number) => args[i] as never;
    const tableOp = (action: string, run: (args: unknown[]) => Promise<unknown>): Operation => ({
      needs: (args) => [{ action: `dynamodb:${action}`, resource: table(args[0]) }],
      run,
    });
    this.#operations = {
      buckets: {
        putObject: {
          needs: (args) => [{ action: 's3:PutObject', resource: object(args) }],
          run: (args) => buckets().putObject(a(args, 0), a(args, 1), a(args, 2), a(args, 3)),
        },
        getObject: {
          needs: (args) => [{ action: 's3:GetObject', resource: object(args) }],
          run: (args) => buckets().getObject(a(args, 0), a(args, 1)),
        },
        headObject: {
          needs: (args) => [{ action: 's3:GetObject', resource: object(args) }],
          run: (args) => buckets().headObject(a(args, 0), a(args, 1)),
        },
        deleteObject: {
          needs: (args) => [{ action: 's3:DeleteObject', resource: object(args) }],
          run: (args) => buckets().deleteObject(a(args, 0), a(args, 1)),
        },
        listObjects: {
          needs: (args) => {
            const o = (args[1] ?? {}) as { prefix?: string; delimiter?: string; maxKeys?: number };
            const context: RequestContext = {
              ...(o.prefix === undefined ? {} : { 's3:prefix': o.prefix }),
              ...(o.delimiter === undefined ? {} : { 's3:delimiter': o.delimiter }),
              ...(o.maxKeys === undefined ? {} : { 's3:max-keys': o.maxKeys }),
            };
            return [{ action: 's3:ListBucket', resource: arns.bucket(text(args[0])), context }];
          },
          run: (args) => buckets().listObjects(a(args, 0), a(args, 1)),
        },
        copyObject: {
          needs: (args) => [
            { action: 's3:GetObject', resource: object(args, 0) },
            { action: 's3:PutObject', resource: object(args, 2) },
          ],
          run: (args) => buckets().copyObject(a(args, 0), a(args, 1), a(args, 2), a(args, 3)),
        },
      },
      streams: {
        putRecord: {
          needs: (args) => [{ action: 'kinesis:PutRecord', resource: stream(args[0]) }],
          run: (args) => streams().putRecord(a(args, 0), a(args, 1)),
        },
        putRecords: {
          needs: (args) => [{ action: 'kinesis:PutRecords', resource: stream(args[0]) }],
          run: (args) => streams().putRecords(a(args, 0), a(args, 1)),
        },
      },
      tables: {
        putItem: tableOp('PutItem', (args) => tables().putItem(a(args, 0), a(args, 1), a(args, 2))),
        getItem: tableOp('GetItem', (args) => tables().getItem(a(args, 0), a(args, 1))),
        updateItem: tableOp('UpdateItem', (args) =>
          tables().updateItem(a(args, 0), a(args, 1), a(args, 2), a(args, 3)),
        ),
        deleteItem: tableOp('DeleteItem', (args) => tables().deleteItem(a(args, 0), a(args, 1), a(args, 2))),
        query: tableOp('Query', (args) => tables().query(a(args, 0), a(args, 1))),
      },
      functions: {
        invoke: {
          needs: (args) => [{ action: 'lambda:InvokeFunction', resource: fn(args[0]) }],
          run: (args) => functions().invoke(a(args, 0), args[1], a(args, 2)),
        },
        invokeAsync: {
          needs: (args) => [
            {
              action: 'lambda:InvokeAsync',
              resource: fn(args[0]),
              anyOf: ['lambda:InvokeAsync', 'lambda:InvokeFunction'],
            },
          ],
          run: (args) => functions().invoke(a(args, 0), args[1], { invocationType: 'Event' }),
        },
      },
    };
  }

  /** Checks `service.method(...args)` against the function's execution role, then runs it. */
  async call(
    config: FunctionConfiguration,
    service: string,
    method: string,
    args: unknown[],
  ): Promise<unknown> {
    const operation = Object.hasOwn(this.#operations, service)
      ? Object.hasOwn(this.#operations[service] ?? {}, method)
        ? this.#operations[service]?.[method]
        : undefined
      : undefined;
    if (!operation || !Array.isArray(args)) {
      return fail('InvalidParameterValueException', `lambdalite/sdk has no operation ${service}.${method}`);
    }
    for (const need of operation.needs(args)) await this.#check(config, need);
    return operation.run(args);
  }

  async #check(config: FunctionConfiguration, need: Need): Promise<void> {
    const options = { session: config.functionName, ...(need.context ? { context: need.context } : {}) };
    if (need.anyOf) {
      const result = await this.authorizer.authorizeRoleAnyOf(config.role, need.anyOf, need.resource);
      if (result.decision === 'Allow') return;
    }
    await this.authorizer.assertRoleAllows(config.role, need.action, need.resource, options);
  }

  /** Undefined when the role may create and write the function's log group (reference §7.1). */
  async logsDenied(config: FunctionConfiguration): Promise<string | undefined> {
    const resource = this.arns.logGroup(`/aws/lambda/${config.functionName}`);
    for (const action of LOG_ACTIONS) {
      const result = await this.authorizer.authorizeRole(config.role, action, resource);
      if (result.decision !== 'Allow') {
        return `logs of ${config.functionName} are dropped: its execution role ${config.role} is not authorized to perform: ${action} on resource: ${resource}`;
      }
    }
    return undefined;
  }
}
