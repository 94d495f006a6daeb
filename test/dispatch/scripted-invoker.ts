/**
 * A test double of the function runtime: per function, a script of outcomes consumed one per
 * call ('ok' after the script runs out), every call recorded. Real functions come with the
 * runtime; these tests are about the queue and its dispatcher.
 */
import type { FunctionInvoker, InvocationOutcome, InvocationRequest } from '../../src/functions/invoker.js';
import { LambdaliteError } from '../../src/index.js';

export type Step = 'ok' | 'error' | 'throttle' | 'service' | 'missing';

export class ScriptedInvoker implements FunctionInvoker {
  readonly calls: InvocationRequest[] = [];
  readonly #scripts = new Map<string, Step[]>();
  readonly #forever = new Map<string, Step>();
  /** Resolves each invocation only after this hook's promise, to hold invocations open. */
  gate: ((request: InvocationRequest) => Promise<void>) | undefined;
  running = 0;
  maxRunning = 0;
  readonly maxRunningPerFunction = new Map<string, number>();
  readonly #runningPerFunction = new Map<string, number>();

  /** Outcomes of the next calls for `functionName`, in order. */
  script(functionName: string, ...steps: Step[]): this {
    this.#scripts.set(functionName, [...(this.#scripts.get(functionName) ?? []), ...steps]);
    return this;
  }

  /** Every call for `functionName` (after its script) ends with `step`. */
  always(functionName: string, step: Step): this {
    this.#forever.set(functionName, step);
    return this;
  }

  callsFor(functionName: string): InvocationRequest[] {
    return this.calls.filter((c) => c.functionName === functionName);
  }

  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    this.calls.push(request);
    const step =
      this.#scripts.get(request.functionName)?.shift() ?? this.#forever.get(request.functionName) ?? 'ok';
    const name = request.functionName;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const mine = (this.#runningPerFunction.get(name) ?? 0) + 1;
    this.#runningPerFunction.set(name, mine);
    this.maxRunningPerFunction.set(name, Math.max(this.maxRunningPerFunction.get(name) ?? 0, mine));
    try {
      await this.gate?.(request);
      return outcomeOf(step, request);
    } finally {
      this.running--;
      this.#runningPerFunction.set(name, (this.#runningPerFunction.get(name) ?? 1) - 1);
    }
  }
}

function outcomeOf(step: Step, request: InvocationRequest): InvocationOutcome {
  const base = { requestId: request.requestId, statusCode: 200, executedVersion: '$LATEST', durationMs: 1 };
  switch (step) {
    case 'ok':
      return { ...base, payload: { handled: request.payload } };
    case 'error':
      return {
        ...base,
        functionError: 'Unhandled',
        payload: { errorType: 'Error', errorMessage: 'boom', trace: [] },
      };
    case 'throttle':
      throw new LambdaliteError(
        'TooManyRequestsException',
        `Rate exceeded for function ${request.functionName}`,
      );
    case 'service':
      throw new LambdaliteError('ServiceException', 'the runtime failed to start a container');
    case 'missing':
      throw new LambdaliteError('ResourceNotFoundException', `Function not found: ${request.functionName}`, {
        statusCode: 404,
      });
  }
}
