/** Events of the log store. */
export interface LogsEventMap {
  /**
   * Retention removed the events of a group older than `before` (engine-clock ms) with range
   * deletes; `deletedStreams` streams had nothing newer and were removed whole.
   */
  'logs.expired': { logGroupName: string; before: number; deletedBytes: number; deletedStreams: number };
  /** Storing log lines failed (the lines of that flush are lost; the engine goes on). */
  'logs.error': { message: string };
}
