import type { Verdict } from '../errors.js';

/**
 * What buckets need to know about functions: whether one exists. The functions registry
 * implements it; buckets take it optionally so they work (without that check) before it lands.
 */
export interface FunctionDirectory {
  /** True when `functionArn` names a function of this engine. */
  exists(functionArn: string): Promise<boolean>;
}

/**
 * IAM check of one notification destination: allowed when S3 may invoke the function for this
 * bucket (the configuration's invocation role, or the function's resource policy, allows it);
 * otherwise refused with the reason. The engine's IAM enforcement implements it.
 */
export type DeliveryCheck = (destination: {
  functionArn: string;
  bucket: string;
  invocationRole?: string | undefined;
}) => Promise<Verdict>;
