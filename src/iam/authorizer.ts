/**
 * The internal API enforcement points call (docs/notes/iam.md lists which action and resource
 * each one uses). Reads roles from the in-memory role cache, so a check costs no I/O once roles
 * are loaded; every decision reflects the latest committed putRolePolicy / deleteRolePolicy.
 */

import type { Clock } from '../clock.js';
import { type ErrorCode, LambdaliteError } from '../errors.js';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import type { LoadedRole, RoleStore } from './roles/role-store.js';
import type {
  CallerIdentity,
  EvaluationResult,
  NamedPolicy,
  PolicyInput,
  RequestContext,
  RequestPrincipal,
} from './types.js';

const IMPLICIT_DENY: EvaluationResult = Object.freeze({ decision: 'ImplicitDeny', matchedStatements: [] });

/** S3 answers 'AccessDenied'; Lambda, Kinesis, DynamoDB, logs and IAM 'AccessDeniedException'. */
export function accessDeniedCode(action: string): ErrorCode {
  return action.toLowerCase().startsWith('s3:') ? 'AccessDenied' : 'AccessDeniedException';
}

/** The error AWS returns for a denied call, naming principal, action and resource. */
export function accessDenied(
  principalArn: string,
  action: string,
  resource: string,
  result: EvaluationResult,
  code: ErrorCode = accessDeniedCode(action),
): LambdaliteError {
  const why =
    result.decision === 'ExplicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return new LambdaliteError(
    code,
    `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  );
}

/** `arn:aws:iam::1:role/path/name` -> `arn:aws:sts::1:assumed-role/name/<session>`. */
export function assumedRoleArn(roleArn: string, session: string): string {
  const m = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${session}` : roleArn;
}

export interface AuthorizeOptions {
  readonly context?: RequestContext;
  /** Session name in the assumed-role ARN; Lambda uses the function name. Default 'lambdalite'. */
  readonly session?: string;
  /** Overrides the error code chosen from the action's service. */
  readonly code?: ErrorCode;
}

export interface ResourcePolicyRequest {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export class Authorizer {
  constructor(
    private readonly roles: RoleStore,
    private readonly clock: Clock,
    private readonly accountId: string,
    private readonly callerIdentity: CallerIdentity | undefined,
  ) {}

  /** Global keys every request carries unless the caller set them. */
  #context(principalArn: string | undefined, context: RequestContext | undefined): RequestContext {
    const now = this.clock.now();
    return {
      'aws:CurrentTime': new Date(now).toISOString(),
      'aws:EpochTime': Math.floor(now / 1000),
      ...(principalArn === undefined
        ? {}
        : { 'aws:PrincipalArn': principalArn, 'aws:PrincipalAccount': this.accountId }),
      ...context,
    };
  }

  #identityOf(
    role: LoadedRole,
    action: string,
    resource: string,
    context?: RequestContext,
  ): EvaluationResult {
    return evaluate(role.identity, undefined, {
      action,
      resource,
      context: this.#context(role.record.arn, context),
    });
  }

  /** Decision of the role's identity policies; an unknown role is an implicit deny. */
  async authorizeRole(
    roleArn: string,
    action: string,
    resource: string,
    context?: RequestContext,
  ): Promise<EvaluationResult> {
    const role = await this.roles.byArn(roleArn);
    return role ? this.#identityOf(role, action, resource, context) : IMPLICIT_DENY;
  }

  /** Like {@link authorizeRole}, but throws AccessDenied / AccessDeniedException unless allowed. */
  async assertRoleAllows(
    roleArn: string,
    action: string,
    resource: string,
    options: AuthorizeOptions = {},
  ): Promise<void> {
    const result = await this.authorizeRole(roleArn, action, resource, options.context);
    if (result.decision !== 'Allow') {
      const who = assumedRoleArn(roleArn, options.session ?? 'lambdalite');
      throw accessDenied(who, action, resource, result, options.code);
    }
  }

  /**
   * Allowed when some action is allowed and none is explicitly denied; for checks where either
   * action suffices (the 2014 invocation role may grant lambda:InvokeAsync or lambda:InvokeFunction).
   */
  async authorizeRoleAnyOf(
    roleArn: string,
    actions: readonly string[],
    resource: string,
    context?: RequestContext,
  ): Promise<EvaluationResult> {
    const results = await Promise.all(actions.map((a) => this.authorizeRole(roleArn, a, resource, context)));
    return (
      results.find((r) => r.decision === 'ExplicitDeny') ??
      results.find((r) => r.decision === 'Allow') ??
      IMPLICIT_DENY
    );
  }

  /** Throws for the first of `actions` the role may not perform on `resource`. */
  async assertRoleAllowsAll(
    roleArn: string,
    actions: readonly string[],
    resource: string,
    options: AuthorizeOptions = {},
  ): Promise<void> {
    for (const action of actions) await this.assertRoleAllows(roleArn, action, resource, options);
  }

  /**
   * Whether the role's trust policy lets `servicePrincipal` call sts:AssumeRole, with context keys
   * such as 'sts:ExternalId', 'aws:SourceArn', 'aws:SourceAccount'. False for an unknown role.
   */
  trustsService(roleArn: string, servicePrincipal: string, context?: RequestContext): Promise<boolean> {
    return this.trusts(roleArn, { service: servicePrincipal }, context);
  }

  /** Whether the role's trust policy lets any kind of principal call sts:AssumeRole. */
  async trusts(roleArn: string, principal: RequestPrincipal, context?: RequestContext): Promise<boolean> {
    const role = await this.roles.byArn(roleArn);
    if (!role) return false;
    const result = evaluate(
      [],
      { name: 'AssumeRolePolicy', policy: role.trust },
      {
        action: 'sts:AssumeRole',
        resource: roleArn,
        principal,
        context: this.#context(undefined, context),
      },
    );
    return result.decision === 'Allow';
  }

  /**
   * Evaluates a resource policy (e.g. a Lambda function policy built from
   * {@link permissionStatement}) for a principal. Throws MalformedPolicyDocument for a bad policy.
   */
  evaluateResourcePolicy(policy: PolicyInput, request: ResourcePolicyRequest): EvaluationResult {
    return evaluate(
      [],
      { name: 'ResourcePolicy', policy: parsePolicy(policy, 'resource') },
      {
        ...request,
        context: this.#context(undefined, request.context),
      },
    );
  }

  /** The decision for iam:PassRole on `roleArn` by `caller`; Allow when no caller is configured. */
  checkPassRole(caller: CallerIdentity | undefined, roleArn: string): Promise<EvaluationResult> {
    return this.checkCaller(caller, 'iam:PassRole', roleArn);
  }

  /** The decision for `action` on `resource` by `caller`; Allow when no caller is configured. */
  async checkCaller(
    caller: CallerIdentity | undefined,
    action: string,
    resource: string,
  ): Promise<EvaluationResult> {
    if (caller === undefined) return { decision: 'Allow', matchedStatements: [] };
    if ('roleArn' in caller) return this.authorizeRole(caller.roleArn, action, resource);
    const named: NamedPolicy[] = Array.isArray(caller.policies)
      ? caller.policies.map((p, i) => ({ name: `policy${i}`, policy: parsePolicy(p as PolicyInput) }))
      : Object.entries(caller.policies).map(([name, p]) => ({ name, policy: parsePolicy(p as PolicyInput) }));
    return evaluate(named, undefined, {
      action,
      resource,
      context: this.#context(caller.arn, undefined),
    });
  }

  /**
   * Throws AccessDeniedException unless the engine's configured caller identity may pass
   * `roleArn`. Without a configured caller identity nothing is checked.
   */
  async assertPassRole(roleArn: string): Promise<void> {
    await this.assertCallerAllows('iam:PassRole', roleArn);
  }

  /**
   * Throws AccessDenied(Exception) unless the engine's configured caller identity may perform
   * `action` on `resource`. Without a configured caller identity nothing is checked.
   */
  async assertCallerAllows(action: string, resource: string): Promise<void> {
    const caller = this.callerIdentity;
    if (caller === undefined) return;
    const result = await this.checkCaller(caller, action, resource);
    if (result.decision === 'Allow') return;
    const who =
      'roleArn' in caller
        ? assumedRoleArn(caller.roleArn, 'caller')
        : (caller.arn ?? `arn:aws:iam::${this.accountId}:user/caller`);
    throw accessDenied(who, action, resource, result);
  }

  /** Whether the engine was given a caller identity (management calls are then checked). */
  get hasCallerIdentity(): boolean {
    return this.callerIdentity !== undefined;
  }
}

export type { CallerIdentity };
