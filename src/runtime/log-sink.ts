/**
 * Where a container's log lines go besides engine events and Tail: the engine's log store
 * (`engine.logs`). The runtime opens one stream writer per container whose execution role may
 * write logs, and hands it every finished line as it is produced.
 */
import type { ReportFigures } from './log-lines.js';

export interface LogSink {
  /** The writer of one container's log stream; the group and stream appear with the first line. */
  open(logGroupName: string, logStreamName: string): LogStreamWriter;
}

export interface LogStreamWriter {
  /** One finished line (text or JSON format), stamped with the engine clock on arrival. */
  write(line: string): void;
  /**
   * The text format's platform lines, given as their parts and stamped with the engine-clock
   * time the runtime read for them (`at`): the store renders the same text (log-lines.ts) only
   * when someone reads or tails it, so an invocation whose lines nobody reads now builds no
   * string for them.
   */
  start(requestId: string, at: number): void;
  /** END and REPORT, stamped alike (the runtime writes them at the same moment). */
  end(requestId: string, figures: ReportFigures, at: number): void;
}

/**
 * Told of every completed invocation, with the figures the AWS/Lambda metrics need, as plain
 * arguments: no event object is built for it (the `function.invocation.completed` event is
 * built only for its subscribers).
 */
export interface InvocationListener {
  completed(
    functionName: string,
    startTime: number,
    durationMs: number,
    failed: boolean,
    concurrentExecutions: number,
    accountConcurrentExecutions: number,
  ): void;
}

/**
 * Told each line the code printed that reaches the function's log group (a role allowed the logs
 * actions, a level the format keeps): the metrics part reads Embedded Metric Format documents
 * there, as CloudWatch extracts them from the stored lines.
 */
export type PrintedLineListener = (message: string) => void;
