/** Engine options of the metrics part (`createEngine({ metrics })`). */
import { LambdaliteError } from '../../errors.js';

export interface MetricsOptions {
  /**
   * Days the one-minute rollup is kept, on the engine clock. Default 15, as CloudWatch keeps
   * one-minute datapoints; 1 to 455.
   */
  retentionDays: number;
  /**
   * Record the AWS/Lambda and EMF metrics from engine events. Default true; false leaves only
   * `putMetricData`, and the engine then builds no invocation events or log lines for metrics.
   */
  enabled: boolean;
}

export const DEFAULT_METRICS_OPTIONS: Readonly<MetricsOptions> = Object.freeze({
  retentionDays: 15,
  enabled: true,
});
const MAX_RETENTION_DAYS = 455;

export function resolveMetricsOptions(input: Partial<MetricsOptions> | undefined): Readonly<MetricsOptions> {
  if (input === undefined) return DEFAULT_METRICS_OPTIONS;
  if (typeof input !== 'object' || input === null) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.metrics must be an object, got ${JSON.stringify(input)}`,
    );
  }
  const { retentionDays = DEFAULT_METRICS_OPTIONS.retentionDays, enabled = true } = input;
  if (typeof enabled !== 'boolean') {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.metrics.enabled must be true or false, got ${JSON.stringify(enabled)}`,
    );
  }
  if (
    typeof retentionDays !== 'number' ||
    !Number.isInteger(retentionDays) ||
    retentionDays < 1 ||
    retentionDays > MAX_RETENTION_DAYS
  ) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.metrics.retentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(retentionDays)}`,
    );
  }
  return Object.freeze({ retentionDays, enabled });
}
