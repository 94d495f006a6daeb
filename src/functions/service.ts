/**
 * `engine.functions`: the public facade. Validates and normalises arguments, then delegates to
 * the registry (configuration, code, policy) and the runtime (containers).
 *
 * @example
 * await engine.functions.create({ name: 'thumbs', handler: 'index.handler',
 *   code: { directory: './thumbs' }, role: 'arn:aws:iam::000000000000:role/thumbs' });
 * const { payload } = await engine.functions.invoke('thumbs', { key: 'a.jpg' });
 */
import type { EngineContext } from '../context.js';
import type { DeadLetter, EventInvokeConfig, EventInvokeConfigInput } from '../dispatch/push/types.js';
import { fail, LambdaliteError } from '../errors.js';
import { FunctionRuntime, newRequestId } from '../runtime/runtime.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { oneOf, readOptions } from '../validation/options.js';
import type { AsyncInvocationQueue } from './async-queue.js';
import { buildCreate, buildUpdate } from './configure.js';
import type { FunctionInvoker } from './invoker.js';
import { buildStatement } from './permissions.js';
import { FunctionRegistry } from './registry.js';
import type {
  AddPermissionOptions,
  CreateFunctionOptions,
  FunctionConfiguration,
  FunctionPolicy,
  InvokeOptions,
  InvokeResult,
  PolicyStatement,
  UpdateFunctionOptions,
} from './types.js';
import { resolveFunctionName } from './validate.js';

const INVOKE_OPTIONS = {
  invocationType: oneOf(['RequestResponse', 'Event', 'DryRun'] as const),
  logType: oneOf(['None', 'Tail'] as const),
} as const;

/** IAM checks of management calls made by the engine's caller; wired over `engine.iam`. */
export interface FunctionAccess {
  /** Throws unless the caller may pass the role (iam:PassRole). */
  passRole(roleArn: string): Promise<void>;
  /** Throws unless the caller may invoke the function (lambda:InvokeFunction). */
  invoke(functionArn: string): Promise<void>;
}

export class Functions {
  readonly #registry: FunctionRegistry;
  readonly #runtime: FunctionRuntime;
  readonly #mutex = new KeyedMutex();
  #queue: AsyncInvocationQueue | undefined;
  /** The last name invoke resolved: repeated invokes of one function skip the parse. */
  #lastInvoked: { input: string; name: string } | undefined;

  /** @internal built by the engine. */
  constructor(private readonly ctx: EngineContext) {
    this.#registry = new FunctionRegistry(ctx);
    this.#runtime = new FunctionRuntime(ctx, this.#registry);
    ctx.lifecycle.onClose(() => this.#runtime.close());
  }

  /** The runtime as the dispatchers see it (push queue, stream pollers). */
  get invoker(): FunctionInvoker {
    return this.#runtime;
  }

  /** @internal the runtime, for the engine's other parts and for inspection. */
  get runtime(): FunctionRuntime {
    return this.#runtime;
  }

  #access: FunctionAccess | undefined;
  /** Resource policy documents by stored statement list (see policyDocument). */
  readonly #documents = new WeakMap<PolicyStatement[], FunctionPolicy>();

  /** @internal wiring: the caller checks (PassRole, invoke) when the engine has a caller identity. */
  setAccess(access: FunctionAccess | undefined): void {
    this.#access = access;
  }

  /** Attaches the durable queue behind Event invocations and invokeAsync. */
  setAsyncQueue(queue: AsyncInvocationQueue | undefined): void {
    this.#queue = queue;
  }

  async create(options: CreateFunctionOptions): Promise<FunctionConfiguration> {
    this.ctx.lifecycle.assertOpen();
    const { config, zip } = await buildCreate(this.ctx, options);
    await this.#access?.passRole(config.role);
    return this.#mutex.run(config.functionName, async () => {
      if (await this.#registry.get(config.functionName)) {
        fail('ResourceConflictException', `Function already exist: ${config.functionName}`);
      }
      await this.#registry.put(config, zip, true);
      this.ctx.events.emit('function.created', {
        functionName: config.functionName,
        functionArn: config.functionArn,
        codeSha256: config.codeSha256,
      });
      return structuredClone(config);
    });
  }

  /** Changes configuration and/or code; running containers finish, new invocations cold-start. */
  async update(name: string, options: UpdateFunctionOptions): Promise<FunctionConfiguration> {
    this.ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.ctx, name);
    return this.#mutex.run(functionName, async () => {
      const current = await this.#registry.require(functionName);
      const { config, zip } = await buildUpdate(this.ctx, current, options);
      if (options.role !== undefined) await this.#access?.passRole(config.role);
      await this.#registry.put(config, zip, false);
      await this.#runtime.retire(functionName, 'updated');
      this.ctx.events.emit('function.updated', {
        functionName,
        functionArn: config.functionArn,
        codeSha256: config.codeSha256,
      });
      return structuredClone(config);
    });
  }

  async delete(name: string): Promise<void> {
    this.ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.ctx, name);
    await this.#mutex.run(functionName, async () => {
      const current = await this.#registry.require(functionName);
      await this.#registry.delete(functionName);
      await this.#runtime.retire(functionName, 'deleted');
      this.ctx.events.emit('function.deleted', { functionName, functionArn: current.functionArn });
    });
  }

  async get(name: string): Promise<FunctionConfiguration> {
    this.ctx.lifecycle.assertOpen();
    return structuredClone(await this.#registry.require(resolveFunctionName(this.ctx, name)));
  }

  /** @internal true when `nameOrArn` names a function of this engine (a foreign ARN is refused). */
  async exists(nameOrArn: string): Promise<boolean> {
    return (await this.#registry.get(resolveFunctionName(this.ctx, nameOrArn))) !== undefined;
  }

  async list(): Promise<FunctionConfiguration[]> {
    this.ctx.lifecycle.assertOpen();
    return this.#registry.list();
  }

  /**
   * Invokes a function. RequestResponse runs it and answers 200 (also on a function error, with
   * `functionError` set); Event hands it to the async queue and answers 202; DryRun checks and
   * answers 204. Throws TooManyRequestsException (429) when throttled.
   */
  invoke(name: string, payload?: unknown, options?: InvokeOptions): Promise<InvokeResult> {
    return this.#invoke(name, payload, options, true);
  }

  /**
   * @internal an invoke already authorized by the caller (a function's SDK call, checked against
   * its execution role): the engine's caller identity is not consulted.
   */
  invokeAuthorized(name: string, payload?: unknown, options?: InvokeOptions): Promise<InvokeResult> {
    return this.#invoke(name, payload, options, false);
  }

  async #invoke(
    name: string,
    payload: unknown,
    rawOptions: InvokeOptions | undefined,
    checkCaller: boolean,
  ): Promise<InvokeResult> {
    this.ctx.lifecycle.assertOpen();
    const functionName = this.#resolveInvoked(name);
    const options = readOptions(rawOptions, INVOKE_OPTIONS, 'InvalidParameterValueException');
    const type = options.invocationType ?? 'RequestResponse';
    const json = serialise(payload);
    const limit = type === 'Event' ? this.ctx.quotas.asyncPayloadBytes : this.ctx.quotas.syncPayloadBytes;
    // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only when the text may be over.
    const size = json.length * 3 <= limit ? json.length : Buffer.byteLength(json);
    if (size > limit) {
      fail(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the ${type === 'Event' ? 'Event' : 'RequestResponse'} invocation type, got ${size} bytes`,
      );
    }
    // The registry's cache answers synchronously once warm (no extra await on the hot path).
    const config = this.#registry.peek(functionName) ?? (await this.#registry.require(functionName));
    if (checkCaller) await this.#access?.invoke(config.functionArn);
    if (type === 'DryRun') return { statusCode: 204, requestId: newRequestId(), executedVersion: '$LATEST' };
    if (type === 'Event') return this.#enqueue(functionName, JSON.parse(json));
    const outcome = await this.#runtime.run(
      {
        functionName,
        payload,
        payloadJson: json,
        requestId: newRequestId(),
        invocationType: 'RequestResponse',
      },
      { tail: options.logType === 'Tail', config },
    );
    const result: InvokeResult = {
      statusCode: outcome.statusCode,
      payload: outcome.payload,
      executedVersion: outcome.executedVersion,
      requestId: outcome.requestId,
    };
    if (outcome.functionError) result.functionError = outcome.functionError;
    if (outcome.logResult !== undefined) result.logResult = outcome.logResult;
    return result;
  }

  #resolveInvoked(input: unknown): string {
    const last = this.#lastInvoked;
    if (last !== undefined && last.input === input) return last.name;
    const name = resolveFunctionName(this.ctx, input, 'functionName');
    this.#lastInvoked = { input: String(input), name };
    return name;
  }

  /** The 2014 InvokeAsync API: the same as `invoke(name, payload, { invocationType: 'Event' })`. */
  invokeAsync(name: string, payload?: unknown): Promise<InvokeResult> {
    return this.invoke(name, payload, { invocationType: 'Event' });
  }

  /** @internal the cached configuration, without reading storage (for synchronous checks). */
  peekConfiguration(name: string): FunctionConfiguration | undefined {
    return this.#registry.peek(name);
  }

  /**
   * Sets retries, maximum event age and destinations of asynchronous invocations (AWS Put
   * semantics: omitted fields take their defaults).
   */
  async putEventInvokeConfig(name: string, config: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    this.ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.ctx, name));
    return this.#requireQueue().putEventInvokeConfig(fn.functionName, config);
  }

  async getEventInvokeConfig(name: string): Promise<EventInvokeConfig> {
    this.ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.ctx, name));
    return this.#requireQueue().getEventInvokeConfig(fn.functionName);
  }

  async deleteEventInvokeConfig(name: string): Promise<void> {
    this.ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.ctx, name));
    await this.#requireQueue().deleteEventInvokeConfig(fn.functionName);
  }

  /** Asynchronous events that failed every attempt and had no on-failure destination. */
  async deadLetters(name: string): Promise<DeadLetter[]> {
    this.ctx.lifecycle.assertOpen();
    return this.#requireQueue().deadLetters(resolveFunctionName(this.ctx, name));
  }

  /** Re-queues dead letters (all of the function's, or those named) with fresh attempts. */
  async redrive(name: string, requestIds?: readonly string[]): Promise<{ requestIds: string[] }> {
    this.ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.ctx, name));
    return this.#requireQueue().redrive(fn.functionName, requestIds);
  }

  #requireQueue(): AsyncInvocationQueue {
    return (
      this.#queue ??
      fail(
        'ServiceException',
        'no async invocation queue is attached to this engine (functions.setAsyncQueue)',
      )
    );
  }

  async #enqueue(functionName: string, payload: unknown): Promise<InvokeResult> {
    const { requestId } = await this.#requireQueue().enqueue(functionName, payload);
    this.ctx.events.emit('function.invoke.queued', { functionName, requestId });
    return { statusCode: 202, requestId };
  }

  async addPermission(name: string, options: AddPermissionOptions): Promise<{ statement: PolicyStatement }> {
    this.ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.ctx, name);
    return this.#mutex.run(functionName, async () => {
      const config = await this.#registry.require(functionName);
      const statements = await this.#registry.policy(functionName);
      const statement = buildStatement(config, statements, options);
      await this.#registry.putPolicy(functionName, [...statements, statement]);
      return { statement: structuredClone(statement) };
    });
  }

  async removePermission(name: string, statementId: string): Promise<void> {
    this.ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.ctx, name);
    await this.#mutex.run(functionName, async () => {
      await this.#registry.require(functionName);
      const statements = await this.#registry.policy(functionName);
      if (!statements.some((s) => s.Sid === statementId)) {
        fail('ResourceNotFoundException', `Statement ${statementId} is not found in resource policy.`, {
          statusCode: 404,
        });
      }
      await this.#registry.putPolicy(
        functionName,
        statements.filter((s) => s.Sid !== statementId),
      );
    });
  }

  /** @internal the resource policy document for IAM checks; undefined when it has no statement. */
  async policyDocument(name: string): Promise<FunctionPolicy | undefined> {
    const statements = await this.#registry.policy(name);
    if (statements.length === 0) return undefined;
    // One document per stored statement list, so the policy parser's identity cache hits.
    let document = this.#documents.get(statements);
    if (!document) {
      document = { Version: '2012-10-17', Id: 'default', Statement: statements };
      this.#documents.set(statements, document);
    }
    return document;
  }

  /** The resource policy; ResourceNotFoundException when the function has none. */
  async getPolicy(name: string): Promise<FunctionPolicy> {
    this.ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.ctx, name);
    await this.#registry.require(functionName);
    const statements = await this.#registry.policy(functionName);
    if (statements.length === 0) {
      fail('ResourceNotFoundException', 'The resource you requested does not exist.', { statusCode: 404 });
    }
    return { Version: '2012-10-17', Id: 'default', Statement: structuredClone(statements) };
  }
}

function serialise(payload: unknown): string {
  try {
    const json: string | undefined = JSON.stringify(payload === undefined ? {} : payload);
    if (json === undefined) {
      return fail(
        'InvalidRequestContentException',
        `payload must be JSON-serialisable, got a ${typeof payload}`,
      );
    }
    return json;
  } catch (err) {
    if (err instanceof LambdaliteError) throw err;
    return fail(
      'InvalidRequestContentException',
      `payload must be JSON-serialisable: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
