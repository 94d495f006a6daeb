/**
 * IAM enforcement as the services ask for it (docs/notes/iam.md): each service owns the small
 * interface it checks through, and these adapters implement them over the authorizer and the
 * invocation checks. Bucket notification configurations and every push delivery from a bucket,
 * mappings at create / update and before each poll, iam:PassRole and invoke checks of the
 * engine's caller.
 */

import { functionNameOfArn } from '../arn.js';
import type { DeliveryCheck } from '../buckets/function-directory.js';
import type { MappingAuthorizer } from '../dispatch/pull/deps.js';
import type { DeliveryAuthorizer } from '../dispatch/push/async-queue.js';
import type { QueueEntry } from '../dispatch/push/types.js';
import { ALLOWED } from '../errors.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FunctionAccess } from '../functions/service.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { InvocationChecks } from '../iam/invocation-checks.js';

/** The bucket of a queued S3 notification (`{ Records: [record] }`). */
function bucketOf(entry: QueueEntry): string | undefined {
  const records = (entry.payload as { Records?: Array<{ s3?: { bucket?: { name?: unknown } } }> } | null)
    ?.Records;
  const name = records?.[0]?.s3?.bucket?.name;
  return typeof name === 'string' ? name : undefined;
}

/** May S3 deliver this bucket's events to the configured function? */
export function bucketDeliveryCheck(checks: InvocationChecks): DeliveryCheck {
  return ({ functionArn, bucket, invocationRole }) =>
    checks.s3Delivery({ functionName: functionNameOfArn(functionArn), bucket, invocationRole });
}

/**
 * The check before each push attempt. Only bucket notifications are checked at delivery: events
 * queued by invoke / invokeAsync were checked when they were accepted (caller identity, or a
 * function's execution role).
 */
export function pushDeliveryAuthorizer(
  checks: InvocationChecks,
  registry: FunctionRegistry,
): DeliveryAuthorizer {
  return async (entry) => {
    if (entry.source !== 'aws:s3') return ALLOWED;
    const bucket = bucketOf(entry);
    if (bucket === undefined) return ALLOWED;
    // A deleted function is the invoker's to report (given up at once as not found).
    const exists =
      registry.peek(entry.functionName) !== undefined ||
      (await registry.get(entry.functionName)) !== undefined;
    if (!exists) return ALLOWED;
    return checks.s3Delivery({
      functionName: entry.functionName,
      bucket,
      invocationRole: entry.invocationRole,
    });
  };
}

/** Mappings: PassRole for a role being set, then what the pollers will need. */
export function mappingAuthorizer(checks: InvocationChecks, authorizer: Authorizer): MappingAuthorizer {
  return {
    check: (r) =>
      checks.poll({
        functionName: r.functionName,
        eventSourceArn: r.eventSourceArn,
        service: r.sourceKind,
        role: r.role,
        executionRole: r.executionRole,
      }),
    passRole: (roleArn) => authorizer.assertPassRole(roleArn),
  };
}

/** The engine caller's checks on the functions facade. */
export function callerAccess(authorizer: Authorizer): FunctionAccess {
  return {
    passRole: (roleArn) => authorizer.assertPassRole(roleArn),
    invoke: (functionArn) => authorizer.assertCallerAllows('lambda:InvokeFunction', functionArn),
  };
}
