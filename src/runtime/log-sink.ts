/**
 * Where a container's log lines go besides engine events and Tail: the engine's log store
 * (`engine.logs`). The runtime opens one stream writer per container whose execution role may
 * write logs, and hands it every finished line as it is produced.
 */
export interface LogSink {
  /** The writer of one container's log stream; the group and stream appear with the first line. */
  open(logGroupName: string, logStreamName: string): LogStreamWriter;
}

export interface LogStreamWriter {
  /** One finished line (text or JSON format), stamped with the engine clock on arrival. */
  write(line: string): void;
}

/**
 * Told each line the code printed that reaches the function's log group (a role allowed the logs
 * actions, a level the format keeps): the metrics part reads Embedded Metric Format documents
 * there, as CloudWatch extracts them from the stored lines.
 */
export type PrintedLineListener = (message: string) => void;
