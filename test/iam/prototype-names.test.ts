import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/iam/parse.js';
import { LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import { simulate } from '../../src/iam/simulate.js';
import { createEngine } from '../../src/index.js';
import { openEngine, tempDir } from '../helpers/engines.js';
import { expectCode, expectCodeSync } from '../helpers/errors.js';
import { internals } from '../helpers/harness.js';
import { allow, decide, policy } from './helpers.js';

// Names a user chooses (operators, variables, policy names, context keys) that are also members
// of Object.prototype must behave as the ordinary strings they are.
const PROTOTYPE_NAMES = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'];

/** A document as JSON text, so that '__proto__' is an own key as it is in a stored policy. */
function conditionDocument(operator: string): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{${JSON.stringify(operator)}:{"aws:username":"alice"}}}]}`;
}

describe('names that are Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES.flatMap((n) => [n, `${n}IfExists`, `ForAnyValue:${n}`]))(
    'refuses the condition operator %s as unknown (MalformedPolicyDocument)',
    (operator) => {
      expectCodeSync(
        () => parsePolicy(conditionDocument(operator)),
        'MalformedPolicyDocument',
        `unknown condition operator '${operator}'`,
      );
    },
  );

  it.each(PROTOTYPE_NAMES)('resolves a policy variable named %s from the context only', (name) => {
    const doc = policy(allow('s3:GetObject', `arn:aws:s3:::b/\${${name}}`));
    const literal = `arn:aws:s3:::b/${String(({} as Record<string, unknown>)[name])}`;
    expect(decide(doc, 's3:GetObject', literal)).toBe('ImplicitDeny');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b/x', JSON.parse(`{"${name}":"x"}`))).toBe('Allow');
  });

  it('matches a condition key named __proto__ like any other key', () => {
    const doc =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"__proto__":"x"}}}]}';
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b', JSON.parse('{"__proto__":"x"}'))).toBe('Allow');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b', {})).toBe('ImplicitDeny');
  });

  it('reports a simulated policy named __proto__ under that name', () => {
    const result = simulate({
      policies: JSON.parse(`{"__proto__": ${JSON.stringify(policy(allow('s3:GetObject')))}}`),
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b',
    });
    expect(result.decidingStatement?.policyName).toBe('__proto__');
  });

  it('answers NoSuchEntity for inline policies that do not exist, whatever their name', async () => {
    const engine = await openEngine('memory');
    await engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    for (const name of PROTOTYPE_NAMES) {
      await expectCode(engine.iam.getRolePolicy('r', name), 'NoSuchEntity', name);
      await expectCode(engine.iam.deleteRolePolicy('r', name), 'NoSuchEntity', name);
    }
    expect(await engine.iam.listRolePolicies('r')).toEqual([]);
  });

  it('keeps inline policies named __proto__ or toString, through close and reopen', async () => {
    const location = await tempDir();
    const doc = policy(allow('s3:GetObject', 'arn:aws:s3:::b/*'));
    const first = await createEngine({ location });
    await first.iam.createRole({
      name: 'r',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: JSON.parse(`{"__proto__": ${JSON.stringify(doc)}}`),
    });
    await first.iam.putRolePolicy('r', 'toString', doc);
    expect(await first.iam.listRolePolicies('r')).toEqual(['__proto__', 'toString']);
    await first.close();

    const second = await createEngine({ location });
    try {
      expect(await second.iam.listRolePolicies('r')).toEqual(['__proto__', 'toString']);
      expect((await second.iam.getRolePolicy('r', '__proto__')).policyDocument).toEqual(doc);
      await second.iam.deleteRolePolicy('r', 'toString');
      expect(await second.iam.listRolePolicies('r')).toEqual(['__proto__']);
      const { arn } = await second.iam.getRole('r');
      const decision = await internals(second).authorizer.authorizeRole(
        arn,
        's3:GetObject',
        'arn:aws:s3:::b/k',
      );
      expect(decision).toMatchObject({ decision: 'Allow', decidingStatement: { policyName: '__proto__' } });
    } finally {
      await second.close();
    }
  });
});
