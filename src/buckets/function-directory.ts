/**
 * What buckets need to know about functions: whether one exists. The functions registry
 * implements it; buckets take it optionally so they work (without that check) before it lands.
 */
export interface FunctionDirectory {
  /** True when `functionArn` names a function of this engine. */
  exists(functionArn: string): Promise<boolean>;
}
