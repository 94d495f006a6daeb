/**
 * CreateRole, GetRole, DeleteRole, ListRoles, UpdateAssumeRolePolicy, Put/Get/Delete/ListRolePolicies,
 * Attach/Detach/ListAttachedRolePolicies. Policy documents travel URL-encoded inside the XML,
 * as IAM sends them (the aws CLI decodes them; SDK v3 leaves that to the caller).
 */
import type { Engine } from '../../engine.js';
import type { Role } from '../../iam/roles/types.js';
import { type QueryOperation, required } from '../protocols/query.js';
import type { XmlNode } from '../protocols/xml.js';
import { WireError } from '../wire-error.js';
import { MANAGED_BY_NAME, MANAGED_POLICIES } from './managed-policies.js';

function roleXml(role: Role): XmlNode {
  return [
    'Role',
    [
      ['Path', role.path],
      ['RoleName', role.roleName],
      ['RoleId', role.roleId],
      ['Arn', role.arn],
      ['CreateDate', role.createDate],
      ['AssumeRolePolicyDocument', encodeURIComponent(JSON.stringify(role.assumeRolePolicyDocument))],
      ['Description', role.description],
      ['MaxSessionDuration', 3600],
    ],
  ];
}

function managedArn(arn: string) {
  const policy = MANAGED_POLICIES.get(arn);
  if (policy === undefined) {
    throw new WireError(
      'NoSuchEntity',
      404,
      `Policy ${arn} does not exist or is not attachable (lambdalite knows: ${[...MANAGED_POLICIES.keys()].join(', ')}).`,
    );
  }
  return policy;
}

export function roleOperations(engine: Engine): Record<string, QueryOperation> {
  return {
    async CreateRole(p) {
      const path = p.get('Path');
      const description = p.get('Description');
      const role = await engine.iam.createRole({
        name: required(p, 'RoleName'),
        assumeRolePolicy: required(p, 'AssumeRolePolicyDocument'),
        ...(path === null ? {} : { path }),
        ...(description === null ? {} : { description }),
      });
      return [roleXml(role)];
    },
    async GetRole(p) {
      return [roleXml(await engine.iam.getRole(required(p, 'RoleName')))];
    },
    async DeleteRole(p) {
      await engine.iam.deleteRole(required(p, 'RoleName'));
      return undefined;
    },
    async ListRoles(p) {
      const prefix = p.get('PathPrefix');
      const roles = await engine.iam.listRoles(prefix === null ? {} : { pathPrefix: prefix });
      return [
        ['IsTruncated', false],
        ['Roles', roles.map((r): XmlNode => ['member', roleXml(r)[1]])],
      ];
    },
    async UpdateAssumeRolePolicy(p) {
      await engine.iam.updateAssumeRolePolicy(required(p, 'RoleName'), required(p, 'PolicyDocument'));
      return undefined;
    },
    async PutRolePolicy(p) {
      const name = required(p, 'PolicyName');
      if (MANAGED_BY_NAME.has(name)) {
        throw new WireError(
          'ValidationError',
          400,
          `The policy name ${name} is kept for the attached managed policy of that name`,
        );
      }
      await engine.iam.putRolePolicy(required(p, 'RoleName'), name, required(p, 'PolicyDocument'));
      return undefined;
    },
    async GetRolePolicy(p) {
      const policy = await engine.iam.getRolePolicy(required(p, 'RoleName'), required(p, 'PolicyName'));
      return [
        ['RoleName', policy.roleName],
        ['PolicyName', policy.policyName],
        ['PolicyDocument', encodeURIComponent(JSON.stringify(policy.policyDocument))],
      ];
    },
    async DeleteRolePolicy(p) {
      await engine.iam.deleteRolePolicy(required(p, 'RoleName'), required(p, 'PolicyName'));
      return undefined;
    },
    async ListRolePolicies(p) {
      const names = (await engine.iam.listRolePolicies(required(p, 'RoleName'))).filter(
        (n) => !MANAGED_BY_NAME.has(n),
      );
      return [
        ['IsTruncated', false],
        ['PolicyNames', names.map((n): XmlNode => ['member', n])],
      ];
    },
    async AttachRolePolicy(p) {
      const policy = managedArn(required(p, 'PolicyArn'));
      await engine.iam.putRolePolicy(required(p, 'RoleName'), policy.name, policy.document);
      return undefined;
    },
    async DetachRolePolicy(p) {
      const policy = managedArn(required(p, 'PolicyArn'));
      const role = required(p, 'RoleName');
      if (!(await engine.iam.listRolePolicies(role)).includes(policy.name)) {
        throw new WireError('NoSuchEntity', 404, `Policy ${policy.arn} was not found.`);
      }
      await engine.iam.deleteRolePolicy(role, policy.name);
      return undefined;
    },
    async ListAttachedRolePolicies(p) {
      const names = (await engine.iam.listRolePolicies(required(p, 'RoleName'))).filter((n) =>
        MANAGED_BY_NAME.has(n),
      );
      return [
        ['IsTruncated', false],
        [
          'AttachedPolicies',
          names.map(
            (n): XmlNode => [
              'member',
              [
                ['PolicyName', n],
                ['PolicyArn', MANAGED_BY_NAME.get(n)!.arn],
              ],
            ],
          ),
        ],
      ];
    },
  };
}
