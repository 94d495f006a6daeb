/**
 * `engine.functions`: the public facade. Validates and normalises arguments, then delegates to
 * the registry (configuration, code, policy), the invoke path and the push queue, all given
 * at construction and kept private.
 *
 * @example
 * await engine.functions.create({ name: 'thumbs', handler: 'index.handler',
 *   code: { directory: './thumbs' }, role: 'arn:aws:iam::000000000000:role/thumbs' });
 * const { payload } = await engine.functions.invoke('thumbs', { key: 'a.jpg' });
 */
import type { EngineContext } from '../context.js';
import type { DeadLetter, EventInvokeConfig, EventInvokeConfigInput } from '../dispatch/push/types.js';
import { fail } from '../errors.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import type { AsyncInvocationQueue } from './async-queue.js';
import { buildCreate, buildUpdate } from './configure.js';
import type { Invocations } from './invocations.js';
import { buildStatement } from './permissions.js';
import type { FunctionRegistry } from './registry.js';
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

/** IAM checks of management calls made by the engine's caller (engine.iam's authorizer). */
export interface FunctionAccess {
  /** Throws unless the caller may pass the role (iam:PassRole). */
  passRole(roleArn: string): Promise<void>;
  /** Throws unless the caller may invoke the function (lambda:InvokeFunction). */
  invoke(functionArn: string): Promise<void>;
}

/** What the facade asks of the runtime beyond invoking: stop a changed or deleted function. */
export interface ContainerRetirement {
  retire(functionName: string, reason: 'updated' | 'deleted'): Promise<void>;
}

/** What the functions facade is built with. */
export interface FunctionsDeps {
  readonly registry: FunctionRegistry;
  readonly runtime: ContainerRetirement;
  /** The invoke path, shared with the in-function SDK. */
  readonly invocations: Invocations;
  /** The durable queue behind Event invocations and invokeAsync. */
  readonly queue: AsyncInvocationQueue;
  /** The caller's IAM checks. */
  readonly access: FunctionAccess;
}

export class Functions {
  readonly #ctx: EngineContext;
  readonly #registry: FunctionRegistry;
  readonly #runtime: ContainerRetirement;
  readonly #invocations: Invocations;
  readonly #queue: AsyncInvocationQueue;
  readonly #access: FunctionAccess;
  readonly #mutex = new KeyedMutex();

  /** @internal built by the engine. */
  constructor(ctx: EngineContext, deps: FunctionsDeps) {
    this.#ctx = ctx;
    this.#registry = deps.registry;
    this.#runtime = deps.runtime;
    this.#invocations = deps.invocations;
    this.#queue = deps.queue;
    this.#access = deps.access;
  }

  async create(options: CreateFunctionOptions): Promise<FunctionConfiguration> {
    this.#ctx.lifecycle.assertOpen();
    const { config, zip } = await buildCreate(this.#ctx, options);
    await this.#access.passRole(config.role);
    return this.#mutex.run(config.functionName, async () => {
      if (await this.#registry.get(config.functionName)) {
        fail('ResourceConflictException', `Function already exist: ${config.functionName}`);
      }
      await this.#registry.put(config, zip, undefined);
      this.#ctx.events.emit('function.created', {
        functionName: config.functionName,
        functionArn: config.functionArn,
        codeSha256: config.codeSha256,
      });
      return structuredClone(config);
    });
  }

  /** Changes configuration and/or code; running containers finish, new invocations cold-start. */
  async update(name: string, options: UpdateFunctionOptions): Promise<FunctionConfiguration> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.#ctx, name);
    return this.#mutex.run(functionName, async () => {
      const current = await this.#registry.require(functionName);
      const { config, zip } = await buildUpdate(this.#ctx, current, options);
      if (options.role !== undefined) await this.#access.passRole(config.role);
      await this.#registry.put(config, zip, current);
      await this.#runtime.retire(functionName, 'updated');
      this.#ctx.events.emit('function.updated', {
        functionName,
        functionArn: config.functionArn,
        codeSha256: config.codeSha256,
      });
      return structuredClone(config);
    });
  }

  async delete(name: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.#ctx, name);
    await this.#mutex.run(functionName, async () => {
      const current = await this.#registry.require(functionName);
      await this.#registry.delete(functionName, current);
      await this.#runtime.retire(functionName, 'deleted');
      this.#ctx.events.emit('function.deleted', { functionName, functionArn: current.functionArn });
    });
  }

  async get(name: string): Promise<FunctionConfiguration> {
    this.#ctx.lifecycle.assertOpen();
    return structuredClone(await this.#registry.require(resolveFunctionName(this.#ctx, name)));
  }

  async list(): Promise<FunctionConfiguration[]> {
    this.#ctx.lifecycle.assertOpen();
    return this.#registry.list();
  }

  /**
   * Invokes a function. RequestResponse runs it and answers 200 (also on a function error, with
   * `functionError` set); Event hands it to the async queue and answers 202; DryRun checks and
   * answers 204. Throws TooManyRequestsException (429) when throttled.
   */
  invoke(name: string, payload?: unknown, options?: InvokeOptions): Promise<InvokeResult> {
    return this.#invocations.invoke(name, payload, options, (arn) => this.#access.invoke(arn));
  }

  /** The 2014 InvokeAsync API: the same as `invoke(name, payload, { invocationType: 'Event' })`. */
  invokeAsync(name: string, payload?: unknown): Promise<InvokeResult> {
    return this.invoke(name, payload, { invocationType: 'Event' });
  }

  /**
   * Sets retries, maximum event age and destinations of asynchronous invocations (AWS Put
   * semantics: omitted fields take their defaults).
   */
  async putEventInvokeConfig(name: string, config: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    this.#ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.#ctx, name));
    return this.#queue.putEventInvokeConfig(fn.functionName, config);
  }

  async getEventInvokeConfig(name: string): Promise<EventInvokeConfig> {
    this.#ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.#ctx, name));
    return this.#queue.getEventInvokeConfig(fn.functionName);
  }

  async deleteEventInvokeConfig(name: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.#ctx, name));
    await this.#queue.deleteEventInvokeConfig(fn.functionName);
  }

  /** Asynchronous events that failed every attempt and had no on-failure destination. */
  async deadLetters(name: string): Promise<DeadLetter[]> {
    this.#ctx.lifecycle.assertOpen();
    return this.#queue.deadLetters(resolveFunctionName(this.#ctx, name));
  }

  /** Re-queues dead letters (all of the function's, or those named) with fresh attempts. */
  async redrive(name: string, requestIds?: readonly string[]): Promise<{ requestIds: string[] }> {
    this.#ctx.lifecycle.assertOpen();
    const fn = await this.#registry.require(resolveFunctionName(this.#ctx, name));
    return this.#queue.redrive(fn.functionName, requestIds);
  }

  async addPermission(name: string, options: AddPermissionOptions): Promise<{ statement: PolicyStatement }> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.#ctx, name);
    return this.#mutex.run(functionName, async () => {
      const config = await this.#registry.require(functionName);
      const statements = await this.#registry.policy(functionName);
      const statement = buildStatement(config, statements, options);
      await this.#registry.putPolicy(functionName, [...statements, statement], statements);
      return { statement: structuredClone(statement) };
    });
  }

  async removePermission(name: string, statementId: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.#ctx, name);
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
        statements,
      );
    });
  }

  /** The resource policy; ResourceNotFoundException when the function has none. */
  async getPolicy(name: string): Promise<FunctionPolicy> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = resolveFunctionName(this.#ctx, name);
    await this.#registry.require(functionName);
    const statements = await this.#registry.policy(functionName);
    if (statements.length === 0) {
      fail('ResourceNotFoundException', 'The resource you requested does not exist.', { statusCode: 404 });
    }
    return { Version: '2012-10-17', Id: 'default', Statement: structuredClone(statements) };
  }
}
