/** Events of the function registry. */
export interface FunctionEventMap {
  'function.created': { functionName: string; functionArn: string; codeSha256: string };
  'function.updated': { functionName: string; functionArn: string; codeSha256: string };
  'function.deleted': { functionName: string; functionArn: string };
  /** An Event invocation was handed to the async queue and accepted (202). */
  'function.invoke.queued': { functionName: string; requestId: string };
}
