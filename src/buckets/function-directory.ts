/**
 * What buckets need to know about functions: whether one exists, and whether S3 may deliver a
 * bucket's events to it. The engine's wiring implements it; buckets take it optionally so they
 * work (without those checks) on their own.
 */
export interface FunctionDirectory {
  /** True when `functionArn` names a function of this engine. */
  exists(functionArn: string): Promise<boolean>;
  /**
   * Undefined when S3 may invoke the function for this bucket (the configuration's invocation
   * role, or the function's resource policy, allows it); otherwise why not.
   */
  checkDelivery?(destination: {
    functionArn: string;
    bucket: string;
    invocationRole?: string | undefined;
  }): Promise<string | undefined>;
}
