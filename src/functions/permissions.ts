/** AddPermission / RemovePermission / GetPolicy: the function's resource policy (reference §8.5). */
import { tryParseArn } from '../arn.js';
import { fail } from '../errors.js';
import { anyValue, readOptions } from '../validation/options.js';
import type { AddPermissionOptions, FunctionConfiguration, PolicyStatement } from './types.js';
import { invalid, show } from './validate.js';

const SID = /^[a-zA-Z0-9._-]{1,100}$/;
const ACTION = /^(lambda:[A-Za-z*]+|\*)$/;
const POLICY_MAX_BYTES = 20 * 1024;
const PERMISSION_OPTIONS = {
  statementId: anyValue(),
  action: anyValue(),
  principal: anyValue(),
  sourceArn: anyValue(),
  sourceAccount: anyValue(),
} as const;

/** Builds the statement AWS generates for AddPermission, refusing a duplicate sid. */
export function buildStatement(
  config: FunctionConfiguration,
  existing: readonly PolicyStatement[],
  options: AddPermissionOptions,
): PolicyStatement {
  const { statementId, action, principal, sourceArn, sourceAccount } = readOptions(
    options,
    PERMISSION_OPTIONS,
    'InvalidParameterValueException',
  );
  if (typeof statementId !== 'string' || !SID.test(statementId)) {
    invalid(`options.statementId must be 1-100 characters of [a-zA-Z0-9-_.], got ${show(statementId)}`);
  }
  if (typeof action !== 'string' || !ACTION.test(action)) {
    invalid(`options.action must be a Lambda action like 'lambda:InvokeFunction', got ${show(action)}`);
  }
  if (typeof principal !== 'string' || principal.length === 0) {
    invalid(`options.principal must be a service principal, account id or ARN, got ${show(principal)}`);
  }
  if (sourceArn !== undefined && (typeof sourceArn !== 'string' || !tryParseArn(sourceArn))) {
    invalid(`options.sourceArn must be an ARN, got ${show(sourceArn)}`);
  }
  if (sourceAccount !== undefined && (typeof sourceAccount !== 'string' || !/^\d{12}$/.test(sourceAccount))) {
    invalid(`options.sourceAccount must be a 12-digit account id, got ${show(sourceAccount)}`);
  }
  if (existing.some((s) => s.Sid === statementId)) {
    fail(
      'ResourceConflictException',
      `The statement id (${statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const statement: PolicyStatement = {
    Sid: statementId,
    Effect: 'Allow',
    Principal:
      principal.includes('.') && !principal.startsWith('arn:') ? { Service: principal } : { AWS: principal },
    Action: action,
    Resource: config.functionArn,
  };
  const condition: Record<string, Record<string, string>> = {};
  if (sourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': sourceAccount };
  if (sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': sourceArn };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  const size = Buffer.byteLength(JSON.stringify([...existing, statement]));
  if (size > POLICY_MAX_BYTES) {
    fail(
      'InvalidParameterValueException',
      `the function's policy must stay under ${POLICY_MAX_BYTES} bytes, would be ${size}`,
    );
  }
  return statement;
}
