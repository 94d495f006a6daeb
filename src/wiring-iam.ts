/**
 * Connects IAM enforcement to the services (docs/notes/iam.md): bucket notification
 * configurations and every push delivery from a bucket, mappings at create / update and before
 * each poll, iam:PassRole and invoke checks of the engine's caller, and the functions' SDK calls.
 * Kept apart from wiring.ts so enforcement can be read in one place.
 */
import { Arns, tryParseArn } from './arn.js';
import { attachDeliveryCheck } from './buckets/buckets.js';
import type { QueueEntry } from './dispatch/push/types.js';
import { InvocationChecks } from './iam/invocation-checks.js';
import { SdkHost } from './runtime/sdk/host.js';
import type { WiredServices } from './wiring.js';

/** The services enforcement hooks into: the same set the engine wires. */
export type EnforcedServices = WiredServices;

/** `arn:...:function:name[:qualifier]` -> name. */
function functionNameOf(functionArn: string): string {
  return tryParseArn(functionArn)?.resource.split(':')[1] ?? functionArn;
}

/** The bucket of a queued S3 notification (`{ Records: [record] }`). */
function bucketOf(entry: QueueEntry): string | undefined {
  const records = (entry.payload as { Records?: Array<{ s3?: { bucket?: { name?: unknown } } }> } | null)
    ?.Records;
  const name = records?.[0]?.s3?.bucket?.name;
  return typeof name === 'string' ? name : undefined;
}

export function wireEnforcement(s: EnforcedServices): InvocationChecks {
  const { iam, functions } = s;
  const authorizer = iam.authorizer;
  const arns = new Arns(s.region, s.accountId);
  const checks = new InvocationChecks(authorizer, arns, s.accountId, (name) =>
    functions.policyDocument(name),
  );
  const sdk = new SdkHost(authorizer, arns, s);
  functions.runtime.setHost({
    sdkCall: (config, service, method, args) => sdk.call(config, service, method, args),
    logsDenied: (config) => sdk.logsDenied(config),
  });
  attachDeliveryCheck(s.buckets, ({ functionArn, bucket, invocationRole }) =>
    checks.s3Delivery({ functionName: functionNameOf(functionArn), bucket, invocationRole }),
  );
  // Only bucket notifications are checked at delivery: events queued by invoke / invokeAsync were
  // checked when they were accepted (caller identity, or a function's execution role).
  s.asyncInvocations.setDeliveryAuthorizer(async (entry) => {
    if (entry.source !== 'aws:s3') return undefined;
    const bucket = bucketOf(entry);
    if (bucket === undefined) return undefined;
    // A deleted function is the invoker's to report (given up at once as not found).
    const exists =
      functions.peekConfiguration(entry.functionName) !== undefined ||
      (await functions.exists(entry.functionName));
    if (!exists) return undefined;
    const why = await checks.s3Delivery({
      functionName: entry.functionName,
      bucket,
      invocationRole: entry.invocationRole,
    });
    return why === undefined ? undefined : `AccessDeniedException: ${why}`;
  });
  s.mappings.setAuthorizer({
    check: (r) =>
      checks.poll({
        functionName: r.functionName,
        eventSourceArn: r.eventSourceArn,
        service: r.sourceKind,
        role: r.role,
        executionRole: r.executionRole,
      }),
    passRole: (roleArn) => authorizer.assertPassRole(roleArn),
  });
  iam.registerRoleUsage({
    usersOf: async (roleArn) =>
      (await s.mappings.list())
        .filter((m) => m.role === roleArn)
        .map((m) => `event-source-mapping:${m.uuid}`),
  });
  functions.setAccess({
    passRole: (roleArn) => authorizer.assertPassRole(roleArn),
    invoke: (functionArn) => authorizer.assertCallerAllows('lambda:InvokeFunction', functionArn),
  });
  return checks;
}
