/**
 * Principal matching for resource and trust policies: "*", service principals, account ids
 * and `arn:aws:iam::<acct>:root` (any principal of that account), role ARNs (the role and its
 * assumed-role sessions), and plain ARN equality for anything else.
 */
import type { PrincipalSpec, PrincipalType, RequestPrincipal } from './types.js';

function accountOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 ? parts[4] : undefined;
}

/** `arn:aws:sts::1:assumed-role/r/s` -> `arn:aws:iam::1:role/r` (path is not kept by STS). */
function roleOfSession(arn: string): string | undefined {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

function roleName(arn: string): string | undefined {
  const m = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

function matchesAws(entry: string, caller: string): boolean {
  if (entry === '*') return true;
  if (entry === caller) return true;
  const account = /^\d{12}$/.test(entry) ? entry : /^arn:[^:]+:iam::(\d{12}):root$/.exec(entry)?.[1];
  if (account !== undefined) return accountOf(caller) === account;
  // A role ARN in a policy also names the sessions of that role.
  const sessionRole = roleOfSession(caller);
  if (sessionRole !== undefined) {
    return accountOf(entry) === accountOf(sessionRole) && roleName(entry) === roleName(sessionRole);
  }
  return false;
}

function entriesMatch(type: PrincipalType, entries: readonly string[], p: RequestPrincipal): boolean {
  switch (type) {
    case 'AWS':
      if (entries.includes('*')) return true;
      return 'aws' in p && entries.some((e) => matchesAws(e, p.aws));
    case 'Service':
      return 'service' in p && entries.some((e) => e.toLowerCase() === p.service.toLowerCase());
    case 'Federated':
      return 'federated' in p && entries.includes(p.federated);
    case 'CanonicalUser':
      return 'canonicalUser' in p && entries.includes(p.canonicalUser);
  }
}

/** Whether a statement's Principal / NotPrincipal applies to the request principal. */
export function principalMatches(spec: PrincipalSpec | undefined, p: RequestPrincipal | undefined): boolean {
  if (spec === undefined) return true; // identity policies: the principal is the policy's owner
  if (p === undefined) return spec.negated;
  let named = spec.any;
  if (!named) {
    for (const [type, entries] of spec.values) {
      if (entriesMatch(type, entries, p)) {
        named = true;
        break;
      }
    }
  }
  return spec.negated ? !named : named;
}

/** The ARN-ish text of a principal, for messages and the aws:PrincipalArn context key. */
export function describePrincipal(p: RequestPrincipal): string {
  if ('service' in p) return p.service;
  if ('aws' in p) return p.aws;
  if ('federated' in p) return p.federated;
  if ('canonicalUser' in p) return p.canonicalUser;
  return 'anonymous';
}
