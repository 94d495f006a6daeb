/** Events of the worker-thread runtime (containers, invocations, throttles, log lines). */
import type { StopReason } from './container.js';
import type { ThrottleReason } from './pool.js';
import type { LogLevel } from './protocol.js';

export interface RuntimeEventMap {
  /** A container's worker was spawned; its init (module load) is running. */
  'function.container.spawned': { functionName: string; containerId: string };
  /** A container finished init (module load), successfully or not. */
  'function.container.started': {
    functionName: string;
    containerId: string;
    logStreamName: string;
    initDurationMs: number;
    initError?: string;
  };
  'function.container.stopped': { functionName: string; containerId: string; reason: StopReason };
  /**
   * The container's logs are dropped (no `function.log` events), as AWS drops them, because the
   * execution role does not allow logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents
   * on the function's log group. Once per container.
   */
  'function.logs.denied': {
    functionName: string;
    containerId: string;
    role: string;
    logGroupName: string;
    message: string;
  };
  /** An invocation was handed to a container (its deadline timer is running). */
  'function.invocation.started': {
    functionName: string;
    requestId: string;
    containerId: string;
    invocationType: 'RequestResponse' | 'Event';
    cold: boolean;
  };
  'function.invocation.completed': {
    functionName: string;
    requestId: string;
    containerId: string;
    invocationType: 'RequestResponse' | 'Event';
    cold: boolean;
    /** Engine-clock time the invocation started (CloudWatch stamps its metrics with it). */
    startTime: number;
    /**
     * Invocations of the function (and of all functions) in flight when this one ended, itself
     * included: the largest of these over a period is the period's peak concurrency.
     */
    concurrentExecutions: number;
    accountConcurrentExecutions: number;
    durationMs: number;
    billedDurationMs: number;
    memorySizeMb: number;
    maxMemoryUsedMb: number;
    initDurationMs?: number;
    functionError?: 'Unhandled';
    errorType?: string;
  };
  /** An invocation refused for concurrency; it is not an invocation and not an error. */
  'function.throttled': { functionName: string; requestId: string; reason: ThrottleReason };
  /**
   * One log line: `kind` 'platform' for START / END / REPORT / timeout lines, 'user' for what the
   * code printed. `line` is the CloudWatch text (reference §7.1); `message` the bare text.
   */
  'function.log': {
    functionName: string;
    logGroupName: string;
    logStreamName: string;
    requestId: string | undefined;
    kind: 'platform' | 'user';
    level?: LogLevel;
    message: string;
    line: string;
  };
}
