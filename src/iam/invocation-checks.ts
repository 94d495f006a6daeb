/**
 * Who may invoke a function, checked at configuration time and again at each delivery
 * (docs/notes/iam.md, "Dispatch and configuration"): S3 notifications (2014 invocation role, or
 * today's function resource policy) and stream pollers (2014 invocation role, or today's
 * execution role). Each check answers `undefined` when allowed, or the refusal in AWS's words
 * naming role, action and resource, so callers choose the error code.
 */
import type { Arns } from '../arn.js';
import { ALLOWED, refused, type Verdict } from '../errors.js';
import type { Authorizer } from './authorizer.js';
import type { PolicyInput } from './types.js';

export const S3_PRINCIPAL = 's3.amazonaws.com';
export const LAMBDA_PRINCIPAL = 'lambda.amazonaws.com';
const INVOKE_ACTIONS = ['lambda:InvokeAsync', 'lambda:InvokeFunction'] as const;
const STREAM_READS = ['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListStreams'] as const;

export interface S3DeliveryRequest {
  functionName: string;
  bucket: string;
  invocationRole?: string | undefined;
}

export interface PollRequest {
  functionName: string;
  eventSourceArn: string;
  /** 'kinesis' for a stream, 'dynamodb' for a table stream. */
  service: 'kinesis' | 'dynamodb';
  /** The mapping's 2014 invocation role, if any. */
  role?: string | undefined;
  /** The function's execution role (used when the mapping has no role). */
  executionRole: string;
}

/** A document whose decisions may change with time alone (it names a time condition key). */
const TIME_KEYS = /aws:(currenttime|epochtime)/i;

export class InvocationChecks {
  /**
   * Answers of {@link InvocationChecks.s3Delivery} under a function's resource policy, per
   * document and `<function ARN> <bucket ARN>`: the document object changes whenever the policy
   * does, and the request is otherwise the same every time. Documents naming a time key are
   * evaluated every time (null here).
   */
  readonly #s3Answers = new WeakMap<object, Map<string, Verdict> | null>();

  constructor(
    private readonly authorizer: Authorizer,
    private readonly arns: Arns,
    private readonly accountId: string,
    /** The function's resource policy (GetPolicy's document), undefined when it has none. */
    private readonly functionPolicy: (functionName: string) => Promise<PolicyInput | undefined>,
  ) {}

  /** May S3 deliver events of `bucket` to the function? */
  async s3Delivery(request: S3DeliveryRequest): Promise<Verdict> {
    const functionArn = this.arns.function(request.functionName);
    const bucketArn = this.arns.bucket(request.bucket);
    const source = { 'aws:SourceArn': bucketArn, 'aws:SourceAccount': this.accountId };
    const role = request.invocationRole;
    if (role !== undefined) {
      // The 2014 model: S3 assumed the role with the bucket ARN as ExternalId.
      if (
        !(await this.authorizer.trustsService(role, S3_PRINCIPAL, { 'sts:ExternalId': bucketArn, ...source }))
      ) {
        return refused(
          'AccessDeniedException',
          `the invocation role ${role} does not exist or its trust policy does not let ${S3_PRINCIPAL} perform sts:AssumeRole with sts:ExternalId ${bucketArn}`,
        );
      }
      const result = await this.authorizer.authorizeRoleAnyOf(role, INVOKE_ACTIONS, functionArn);
      if (result.decision !== 'Allow') {
        return refused(
          'AccessDeniedException',
          `the invocation role ${role} is not authorized to perform: lambda:InvokeAsync or lambda:InvokeFunction on resource: ${functionArn}`,
        );
      }
      return ALLOWED;
    }
    const policy = await this.functionPolicy(request.functionName);
    const answers = typeof policy === 'object' ? this.#answersFor(policy) : null;
    const key = `${functionArn} ${bucketArn}`;
    const known = answers?.get(key);
    if (known) return known;
    const result =
      policy === undefined
        ? undefined
        : this.authorizer.evaluateResourcePolicy(policy, {
            principal: { service: S3_PRINCIPAL },
            action: 'lambda:InvokeFunction',
            resource: functionArn,
            context: source,
          });
    const answer =
      result?.decision === 'Allow'
        ? ALLOWED
        : refused(
            'AccessDeniedException',
            `the resource policy of ${functionArn} does not allow ${S3_PRINCIPAL} to perform lambda:InvokeFunction for source ${bucketArn} (add one with functions.addPermission, or name an invocationRole)`,
          );
    answers?.set(key, answer);
    return answer;
  }

  #answersFor(policy: object): Map<string, Verdict> | null {
    let answers = this.#s3Answers.get(policy);
    if (answers === undefined) {
      answers = TIME_KEYS.test(JSON.stringify(policy)) ? null : new Map();
      this.#s3Answers.set(policy, answers);
    }
    return answers;
  }

  /** May the poller read the stream and invoke the function? */
  async poll(request: PollRequest): Promise<Verdict> {
    const role = request.role ?? request.executionRole;
    const functionArn = this.arns.function(request.functionName);
    if (request.role !== undefined && !(await this.authorizer.trustsService(role, LAMBDA_PRINCIPAL))) {
      return refused(
        'InvalidParameterValueException',
        `The role ${role} does not exist or cannot be assumed by Lambda (its trust policy must let ${LAMBDA_PRINCIPAL} perform sts:AssumeRole)`,
      );
    }
    for (const read of STREAM_READS) {
      const action = `${request.service}:${read}`;
      const result = await this.authorizer.authorizeRole(role, action, request.eventSourceArn);
      if (result.decision !== 'Allow') {
        const which = request.role === undefined ? 'execution role' : 'role';
        return refused(
          'InvalidParameterValueException',
          `Cannot access stream ${request.eventSourceArn}. Please ensure the ${which} can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM: ${role} is not authorized to perform: ${action} on resource: ${request.eventSourceArn}`,
        );
      }
    }
    if (request.role !== undefined) {
      const result = await this.authorizer.authorizeRole(role, 'lambda:InvokeFunction', functionArn);
      if (result.decision !== 'Allow') {
        return refused(
          'InvalidParameterValueException',
          `The role ${role} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn}`,
        );
      }
    }
    return ALLOWED;
  }
}
