/** What one delivery is given: apart from delivery.ts so settle.ts can use it without a cycle. */
import type { EngineContext } from '../../context.js';
import type { Verdict } from '../../errors.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import type { DestinationTargets } from './destinations.js';
import type { EventInvokeConfigs } from './event-invoke-config.js';
import type { AsyncInvocationOptions } from './options.js';
import type { QueueOp, QueueWrites } from './queue-backend.js';
import type { QueueEntry } from './types.js';

export type { QueueOp, QueueWrites };

/** What the dispatcher needs to know about a function besides invoking it. */
export interface FunctionConcurrencyInfo {
  /** Reserved concurrency of the function, undefined when none is set. */
  reservedConcurrency(functionName: string): number | undefined;
  /**
   * Reads the function's configuration when this engine has not loaded it yet (resolves once
   * `reservedConcurrency` answers from it); undefined when it is loaded already.
   */
  load?(functionName: string): Promise<void> | undefined;
}

export interface DeliveryDeps {
  ctx: EngineContext;
  store: QueueWrites;
  configs: EventInvokeConfigs;
  options: Readonly<AsyncInvocationOptions>;
  invoker: FunctionInvoker;
  concurrency: FunctionConcurrencyInfo | undefined;
  targets: DestinationTargets;
  /** Writes one logical batch (group-committed with others); resolves once durable. */
  write(ops: readonly QueueOp[]): Promise<void>;
  /** Tells the dispatcher a function got a new entry (a function destination). */
  queued(functionName: string): void;
  /**
   * Checked before each attempt (IAM: the source may still invoke the function); a refusal,
   * is a failed attempt: retried, then the on-failure destination or a dead letter.
   */
  authorize?(entry: QueueEntry): Promise<Verdict>;
}
