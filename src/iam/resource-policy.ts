/**
 * Lambda function (resource-based) policies as AddPermission builds them (reference §8.5):
 * one statement per permission, Resource = the function ARN, SourceArn as `ArnLike
 * AWS:SourceArn`, SourceAccount as `StringEquals AWS:SourceAccount`.
 */

export interface PermissionInput {
  readonly statementId: string;
  /** e.g. 'lambda:InvokeFunction' or 'lambda:*'. */
  readonly action: string;
  /** A service principal ('s3.amazonaws.com'), a 12-digit account id, an ARN, or '*'. */
  readonly principal: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  /** The function ARN (qualified when the permission is for a qualifier). */
  readonly functionArn: string;
}

export interface PolicyStatementJson {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

function principalElement(principal: string): PolicyStatementJson['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

/** The statement AddPermission stores, exactly as AWS writes it. */
export function permissionStatement(input: PermissionInput): PolicyStatementJson {
  const statement: PolicyStatementJson = {
    Sid: input.statementId,
    Effect: 'Allow',
    Principal: principalElement(input.principal),
    Action: input.action,
    Resource: input.functionArn,
  };
  const condition: Record<string, Record<string, string>> = {};
  if (input.sourceAccount !== undefined)
    condition['StringEquals'] = { 'AWS:SourceAccount': input.sourceAccount };
  if (input.sourceArn !== undefined) condition['ArnLike'] = { 'AWS:SourceArn': input.sourceArn };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

/** The policy document GetPolicy returns for a list of statements. */
export function functionPolicyDocument(statements: readonly PolicyStatementJson[]): {
  Version: '2012-10-17';
  Id: 'default';
  Statement: PolicyStatementJson[];
} {
  return { Version: '2012-10-17', Id: 'default', Statement: [...statements] };
}
