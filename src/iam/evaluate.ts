/**
 * Policy evaluation (reference §8.3), pure and synchronous: explicit Deny > Allow > implicit
 * deny, over identity policies plus an optional resource policy of the same account (either may
 * allow). Inputs are parsed policies (see parse.ts), so a call does no JSON work.
 */
import { principalMatches } from './principal.js';
import type {
  ContextValue,
  EvaluationRequest,
  EvaluationResult,
  NamedPolicy,
  NormalizedContext,
  ParsedStatement,
  RequestContext,
  StatementRef,
  VariableLookup,
} from './types.js';

function toStrings(value: ContextValue): string[] {
  if (value instanceof Date) return [value.toISOString()];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

/** Lower-cases keys and turns every value into a list of strings. */
export function normalizeContext(context: RequestContext | undefined): NormalizedContext {
  const out = new Map<string, string[]>();
  if (!context) return out;
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined || value === null) continue;
    out.set(key.toLowerCase(), toStrings(value as ContextValue));
  }
  return out;
}

/** Policy variables resolve to single-valued context keys only. */
function lookupIn(ctx: NormalizedContext): VariableLookup {
  return (key) => {
    const values = ctx.get(key);
    return values?.length === 1 ? values[0] : undefined;
  };
}

function statementApplies(
  s: ParsedStatement,
  req: EvaluationRequest,
  ctx: NormalizedContext,
  lookup: VariableLookup,
): boolean {
  const actionNamed = s.actions.patterns.some((p) => p.match(req.action, lookup));
  if (actionNamed === s.actions.negated) return false;
  if (s.resources) {
    const named = s.resources.patterns.some((p) => p.match(req.resource, lookup));
    if (named === s.resources.negated) return false;
  }
  if (!principalMatches(s.principal, req.principal)) return false;
  for (const c of s.conditions) if (!c.test(ctx, lookup)) return false;
  return true;
}

/**
 * Evaluates `request` against identity policies and an optional resource policy.
 *
 * @example
 * evaluate([{ name: 'logs', policy: parsePolicy(doc) }], undefined,
 *   { action: 'logs:PutLogEvents', resource: groupArn }).decision // 'Allow'
 */
export function evaluate(
  identity: readonly NamedPolicy[],
  resourcePolicy: NamedPolicy | undefined,
  request: EvaluationRequest,
): EvaluationResult {
  const ctx = normalizeContext(request.context);
  const lookup = lookupIn(ctx);
  const matched: StatementRef[] = [];
  let deny: StatementRef | undefined;
  let allow: StatementRef | undefined;
  const all = resourcePolicy ? [...identity, resourcePolicy] : identity;
  for (const { name, policy } of all) {
    for (const s of policy.statements) {
      if (!statementApplies(s, request, ctx, lookup)) continue;
      const ref: StatementRef = { policyName: name, sid: s.sid, index: s.index, effect: s.effect };
      matched.push(ref);
      if (s.effect === 'Deny') deny ??= ref;
      else allow ??= ref;
    }
  }
  if (deny) return { decision: 'ExplicitDeny', decidingStatement: deny, matchedStatements: matched };
  if (allow) return { decision: 'Allow', decidingStatement: allow, matchedStatements: matched };
  return { decision: 'ImplicitDeny', matchedStatements: matched };
}
