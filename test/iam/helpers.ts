/** Small builders for policy tests: one-statement documents and a decision shortcut. */
import { simulate } from '../../src/iam/simulate.js';
import type { Decision, RequestContext } from '../../src/iam/types.js';

export type Statement = Record<string, unknown>;

export function policy(...statements: Statement[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

export function allow(action: string | string[], resource: string | string[] = '*', extra: Statement = {}) {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

/** The decision of one identity policy for a request. */
export function decide(
  doc: Record<string, unknown> | string,
  action: string,
  resource: string,
  context?: RequestContext,
): Decision {
  return simulate({ policies: [doc], action, resource, context }).decision;
}

/** Whether a statement with only `condition` allows a request carrying `context`. */
export function conditionAllows(condition: Record<string, unknown>, context: RequestContext = {}): boolean {
  return (
    decide(
      policy(allow('s3:GetObject', '*', { Condition: condition })),
      's3:GetObject',
      'arn:aws:s3:::b/k',
      context,
    ) === 'Allow'
  );
}
