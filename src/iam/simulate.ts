/** `engine.iam.simulate`: evaluates documents given inline, as IAM's policy simulator does. */
import { LambdaliteError } from '../errors.js';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import type {
  Decision,
  NamedPolicy,
  PolicyInput,
  RequestContext,
  RequestPrincipal,
  StatementRef,
} from './types.js';

export interface SimulateInput {
  /** Identity policies: one document, a list (named policy0, policy1, ...), or a record by name. */
  readonly policies: PolicyInput | readonly PolicyInput[] | Readonly<Record<string, PolicyInput>>;
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
  /** A resource-based policy of the same account (reported as 'ResourcePolicy'). */
  readonly resourcePolicy?: PolicyInput;
  /** The caller, matched against the resource policy's Principal. */
  readonly principal?: RequestPrincipal;
}

export interface SimulateResult {
  readonly decision: Decision;
  readonly decidingStatement?: StatementRef;
  readonly matchedStatements: readonly StatementRef[];
}

function isSingleDocument(v: object): boolean {
  return typeof v === 'string' || 'Statement' in v || 'Version' in v;
}

function namedPolicies(policies: SimulateInput['policies']): NamedPolicy[] {
  if (typeof policies === 'string' || isSingleDocument(policies)) {
    return [{ name: 'policy0', policy: parsePolicy(policies as PolicyInput) }];
  }
  if (Array.isArray(policies)) {
    return policies.map((p, i) => ({ name: `policy${i}`, policy: parsePolicy(p as PolicyInput) }));
  }
  return Object.entries(policies).map(([name, p]) => ({ name, policy: parsePolicy(p as PolicyInput) }));
}

function requireString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new LambdaliteError(
      'InvalidArgument',
      `${option} must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function simulate(input: SimulateInput): SimulateResult {
  const action = requireString(input?.action, 'action');
  const resource = requireString(input.resource, 'resource');
  if (typeof input.policies !== 'string' && (typeof input.policies !== 'object' || input.policies === null)) {
    throw new LambdaliteError('InvalidArgument', 'policies must be a policy document, a list or a record');
  }
  const resourcePolicy =
    input.resourcePolicy === undefined
      ? undefined
      : { name: 'ResourcePolicy', policy: parsePolicy(input.resourcePolicy, 'resource') };
  return evaluate(namedPolicies(input.policies), resourcePolicy, {
    action,
    resource,
    principal: input.principal,
    context: input.context,
  });
}
