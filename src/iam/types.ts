/**
 * Types of the IAM policy engine: documents as written, documents as parsed, requests and
 * decisions. The parsed form is what evaluation runs on; it is built once per document and cached.
 */

/** A policy document as JSON text or as the parsed object. */
export type PolicyInput = string | object;

/** Where a document is used; decides which elements it must and must not have. */
export type PolicyKind = 'identity' | 'resource' | 'trust';

export type Effect = 'Allow' | 'Deny';

/** One value a request context key may hold; arrays make a multi-valued key. */
export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | Date | readonly ContextScalar[];
/** Request context: condition keys (case-insensitive) to values, e.g. `{ 'aws:SourceArn': ... }`. */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

/** Who makes a request, for resource and trust policies. */
export type RequestPrincipal =
  | { readonly service: string }
  | { readonly aws: string }
  | { readonly federated: string }
  | { readonly canonicalUser: string }
  | { readonly anonymous: true };

export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

/** The Principal / NotPrincipal element after parsing. */
export interface PrincipalSpec {
  readonly negated: boolean;
  /** True for `"*"` (anyone). */
  readonly any: boolean;
  readonly values: ReadonlyMap<PrincipalType, readonly string[]>;
}

/** A pattern with `*` / `?` wildcards and, in 2012-10-17 documents, `${...}` variables. */
export interface Pattern {
  readonly source: string;
  /** Matches `text`; `lookup` resolves policy variables (undefined: no match). */
  match(text: string, lookup: VariableLookup): boolean;
}

export type VariableLookup = (key: string) => string | undefined;

export interface ParsedCondition {
  /** The operator as written, e.g. 'ForAnyValue:StringLikeIfExists'. */
  readonly operator: string;
  /** The key as written; lookups use its lower-case form. */
  readonly key: string;
  readonly keyLower: string;
  readonly values: readonly string[];
  /** Bound test of this condition against a context. */
  readonly test: (context: NormalizedContext, lookup: VariableLookup) => boolean;
}

export interface ParsedStatement {
  /** Position in the Statement array (0 when Statement is a single object). */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly principal: PrincipalSpec | undefined;
  readonly actions: { readonly negated: boolean; readonly patterns: readonly Pattern[] };
  /** Undefined when the statement has neither Resource nor NotResource (trust policies). */
  readonly resources: { readonly negated: boolean; readonly patterns: readonly Pattern[] } | undefined;
  readonly conditions: readonly ParsedCondition[];
}

export interface ParsedPolicy {
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id: string | undefined;
  readonly kind: PolicyKind;
  readonly statements: readonly ParsedStatement[];
  /** The document as a plain object (what getRole / getRolePolicy return). */
  readonly document: Readonly<Record<string, unknown>>;
}

/** Context keys lower-cased, each with its values as strings. */
export type NormalizedContext = ReadonlyMap<string, readonly string[]>;

/** A statement that matched a request: which policy, which Sid, which position. */
export interface StatementRef {
  readonly policyName: string;
  readonly sid: string | undefined;
  readonly index: number;
  readonly effect: Effect;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvaluationResult {
  readonly decision: Decision;
  /** The Deny that decided an ExplicitDeny, or the first Allow that decided an Allow. */
  readonly decidingStatement?: StatementRef;
  /** Every statement that applied to the request, in evaluation order. */
  readonly matchedStatements: readonly StatementRef[];
}

/** A policy with the name it is reported under. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: ParsedPolicy;
}

export interface EvaluationRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  readonly context?: RequestContext;
}

/**
 * Who calls the engine's management API, for `iam:PassRole` checks: inline policies (named or
 * listed), or an existing role whose identity policies apply. Configured as an engine option.
 */
export type CallerIdentity =
  | {
      readonly policies: Readonly<Record<string, PolicyInput>> | readonly PolicyInput[];
      /** ARN named in AccessDenied messages; default `arn:aws:iam::<acct>:user/caller`. */
      readonly arn?: string;
    }
  | { readonly roleArn: string };
