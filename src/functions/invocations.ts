/**
 * The one invoke path: checks the options (unknown keys refused) and the payload size, resolves the
 * function, runs the caller's check (when one is given), then runs it (RequestResponse), queues
 * it (Event) or answers (DryRun). `engine.functions.invoke` passes the engine caller's IAM
 * check; the in-function SDK passes none because its call was checked against the function's
 * execution role before it got here.
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { assertPayloadSize, serialisePayload } from '../payload.js';
import { oneOf, readOptions } from '../validation/options.js';
import type { AsyncInvocationQueue } from './async-queue.js';
import type { InvocationOutcome, InvocationRequest } from './invoker.js';
import type { FunctionRegistry } from './registry.js';
import type { FunctionConfiguration, InvokeOptions, InvokeResult } from './types.js';
import { resolveFunctionName } from './validate.js';

const INVOKE_OPTIONS = {
  invocationType: oneOf(['RequestResponse', 'Event', 'DryRun'] as const),
  logType: oneOf(['None', 'Tail'] as const),
} as const;

/** What the invoke path asks of the runtime: run one synchronous invocation. */
export interface SyncRunner {
  run(
    request: InvocationRequest,
    options: { tail: boolean; config: FunctionConfiguration },
  ): Promise<InvocationOutcome & { logResult?: string }>;
}

/** Throws unless the caller may invoke the function (lambda:InvokeFunction on its ARN). */
export type InvokeCheck = (functionArn: string) => Promise<void>;

export class Invocations {
  readonly #ctx: EngineContext;
  readonly #registry: FunctionRegistry;
  readonly #runner: SyncRunner;
  readonly #queue: AsyncInvocationQueue;
  /** The last name invoke resolved: repeated invokes of one function skip the parse. */
  #lastInvoked: { input: string; name: string } | undefined;

  constructor(
    ctx: EngineContext,
    registry: FunctionRegistry,
    runner: SyncRunner,
    queue: AsyncInvocationQueue,
  ) {
    this.#ctx = ctx;
    this.#registry = registry;
    this.#runner = runner;
    this.#queue = queue;
  }

  async invoke(
    name: string,
    payload: unknown,
    rawOptions: InvokeOptions | undefined,
    check?: InvokeCheck,
  ): Promise<InvokeResult> {
    this.#ctx.lifecycle.assertOpen();
    const functionName = this.#resolve(name);
    const options = readOptions(rawOptions, INVOKE_OPTIONS, 'InvalidParameterValueException');
    const type = options.invocationType ?? 'RequestResponse';
    const json = serialisePayload(payload);
    assertPayloadSize(this.#ctx.quotas, json, type === 'Event' ? 'Event' : 'RequestResponse');
    // The registry's cache answers synchronously once warm (no extra await on the hot path).
    const config = this.#registry.peek(functionName) ?? (await this.#registry.require(functionName));
    if (check) await check(config.functionArn);
    if (type === 'DryRun') return { statusCode: 204, requestId: randomUUID(), executedVersion: '$LATEST' };
    if (type === 'Event') {
      return this.#ctx.backpressure.run(
        'TooManyRequestsException',
        `an Event invoke of '${functionName}'`,
        json.length,
        () => this.#enqueue(functionName, JSON.parse(json)),
      );
    }
    const outcome = await this.#runner.run(
      {
        functionName,
        payload,
        payloadJson: json,
        requestId: randomUUID(),
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

  #resolve(input: unknown): string {
    const last = this.#lastInvoked;
    if (last !== undefined && last.input === input) return last.name;
    const name = resolveFunctionName(this.#ctx, input, 'functionName');
    this.#lastInvoked = { input: String(input), name };
    return name;
  }

  async #enqueue(functionName: string, payload: unknown): Promise<InvokeResult> {
    const { requestId } = await this.#queue.enqueue(functionName, payload);
    this.#ctx.events.emit('function.invoke.queued', { functionName, requestId });
    return { statusCode: 202, requestId };
  }
}
