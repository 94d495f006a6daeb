/** Events of the metrics part. */
export interface MetricsEventMap {
  /**
   * A one-minute rollup batch is durable: `series` series, minutes from `firstMinute` to
   * `lastMinute` (engine-clock minute starts). History up to here survives a crash. On a
   * clustered backend it is also published: other engine processes' reads can see it.
   */
  'metrics.flushed': { series: number; aggregates: number; firstMinute: number; lastMinute: number };
  /** Writing a rollup batch failed; its minutes are kept in memory and tried again next minute. */
  'metrics.flush.failed': { message: string };
}
