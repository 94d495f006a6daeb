/**
 * Destinations: AWS's invocation record (reference §5.3), the ARN kinds we accept, and the
 * interface through which records reach streams and buckets (wired to the real services by the
 * composition root).
 */
import { FUNCTION_NAME, tryParseArn } from '../../arn.js';
import type { EngineContext } from '../../context.js';
import { LambdaliteError } from '../../errors.js';
import type { InvocationOutcome } from '../../functions/invoker.js';

export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface DestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DestinationCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

export type DestinationTarget =
  | { kind: 'function'; name: string; arn: string }
  | { kind: 'stream'; name: string; arn: string }
  | { kind: 'bucket'; name: string; arn: string };

/**
 * How records reach stream and bucket destinations (wired by the engine). Function
 * destinations need no target: the dispatcher writes them into its own queue in the same batch
 * as the removal.
 */
export interface DestinationTargets {
  putStreamRecord(streamName: string, partitionKey: string, data: Buffer): Promise<void>;
  putBucketObject(bucket: string, key: string, body: Buffer): Promise<void>;
}

function invalid(option: string, arn: unknown, why: string): never {
  throw new LambdaliteError(
    'InvalidParameterValueException',
    `${option} must be ${why}, got ${JSON.stringify(arn)}`,
  );
}

/** Parses a destination ARN of this engine (same region and account); `option` names the field. */
export function parseDestinationArn(ctx: EngineContext, arn: string, option: string): DestinationTarget {
  const what = 'the ARN of a function, stream or bucket of this engine';
  if (typeof arn !== 'string') invalid(option, arn, what);
  const parsed = tryParseArn(arn);
  if (!parsed || parsed.partition !== ctx.arns.partition) invalid(option, arn, what);
  if (parsed.service === 's3') {
    if (
      parsed.region !== '' ||
      parsed.accountId !== '' ||
      !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(parsed.resource)
    ) {
      invalid(option, arn, 'a bucket ARN arn:aws:s3:::<bucket>');
    }
    return { kind: 'bucket', name: parsed.resource, arn };
  }
  if (parsed.region !== ctx.region || parsed.accountId !== ctx.accountId) {
    invalid(option, arn, `in this engine's region ${ctx.region} and account ${ctx.accountId}`);
  }
  if (parsed.service === 'lambda') {
    const [kind, name, qualifier, ...rest] = parsed.resource.split(':');
    if (
      kind !== 'function' ||
      !name ||
      !FUNCTION_NAME.test(name) ||
      rest.length > 0 ||
      (qualifier !== undefined && qualifier !== '$LATEST')
    ) {
      invalid(option, arn, 'a function ARN arn:aws:lambda:<region>:<account>:function:<name>');
    }
    return { kind: 'function', name, arn };
  }
  if (parsed.service === 'kinesis') {
    const match = /^stream\/([a-zA-Z0-9_.-]{1,128})$/.exec(parsed.resource);
    if (!match?.[1]) invalid(option, arn, 'a stream ARN arn:aws:kinesis:<region>:<account>:stream/<name>');
    return { kind: 'stream', name: match[1], arn };
  }
  return invalid(option, arn, what);
}

export interface RecordInput {
  requestId: string;
  functionName: string;
  condition: DestinationCondition;
  approximateInvokeCount: number;
  requestPayload: unknown;
  /** The last outcome; absent for EventAgeExceeded and for events never run. */
  outcome?: InvocationOutcome;
  now: number;
}

/** AWS's destination record, field for field. */
export function buildDestinationRecord(ctx: EngineContext, input: RecordInput): DestinationRecord {
  const record: DestinationRecord = {
    version: '1.0',
    timestamp: new Date(input.now).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: ctx.arns.function(input.functionName, '$LATEST'),
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: input.requestPayload,
  };
  if (input.outcome) {
    const { statusCode, executedVersion, functionError } = input.outcome;
    record.responseContext =
      functionError === undefined
        ? { statusCode, executedVersion }
        : { statusCode, executedVersion, functionError };
    record.responsePayload = input.outcome.payload;
  }
  return record;
}

/**
 * Object key for a record sent to a bucket, after AWS's layout for async failure records
 * (unverified): aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<requestId>.
 */
export function destinationObjectKey(functionName: string, now: number, requestId: string): string {
  return datedObjectKey(`aws/lambda/async/${functionName}`, now, requestId);
}

/**
 * `<prefix>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<id>`: the layout AWS uses for records Lambda writes
 * to a bucket, for async invocations and stream mappings alike.
 */
export function datedObjectKey(prefix: string, now: number, id: string): string {
  const iso = new Date(now).toISOString();
  const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const stamp = iso.slice(0, 19).replaceAll(':', '.');
  return `${prefix}/${y}/${m}/${d}/${stamp}-${id}`;
}

/** Targets that refuse streams and buckets until the engine wires the real services. */
export function unwiredTargets(): DestinationTargets {
  const unwired = (what: string) => async (name: string) => {
    throw new LambdaliteError(
      'ServiceException',
      `${what} destinations are not wired in this engine (target '${name}')`,
    );
  };
  return { putStreamRecord: unwired('stream'), putBucketObject: unwired('bucket') };
}
