/** Events of roles and policies, so dispatchers can react to a revoked permission. */
export interface IamEventMap {
  'iam.roleCreated': { roleName: string; arn: string };
  'iam.roleDeleted': { roleName: string; arn: string };
  'iam.rolePolicyPut': { roleName: string; arn: string; policyName: string };
  'iam.rolePolicyDeleted': { roleName: string; arn: string; policyName: string };
  'iam.trustPolicyUpdated': { roleName: string; arn: string };
}
