/**
 * `engine.iam`: roles with trust and inline policies (persisted) and the policy simulator. A
 * thin facade: validation lives in roles/validate.ts and parse.ts, storage in
 * roles/role-store.ts, evaluation in evaluate.ts. Enforcement (the Authorizer) is built by the
 * engine over the same role store and given to the services that check; it is not reachable
 * from here.
 */
import type { EngineContext } from '../context.js';
import { LambdaliteError } from '../errors.js';
import { readOptions, stringValue } from '../validation/options.js';
import { parsePolicy } from './parse.js';
import { type LoadedRole, policyRecord, type RoleStore } from './roles/role-store.js';
import type { CreateRoleInput, Role, RolePolicy, RoleRecord, RoleUsage } from './roles/types.js';
import { validateDescription, validatePath, validatePolicyName, validateRoleName } from './roles/validate.js';
import { type SimulateInput, type SimulateResult, simulate } from './simulate.js';
import type { PolicyInput } from './types.js';

function toRole({ record, policies }: LoadedRole): Role {
  return {
    arn: record.arn,
    roleName: record.roleName,
    roleId: record.roleId,
    path: record.path,
    ...(record.description === undefined ? {} : { description: record.description }),
    createDate: record.createDate,
    assumeRolePolicyDocument: JSON.parse(record.assumeRolePolicyDocument) as Record<string, unknown>,
    policyNames: [...policies.keys()].sort(),
  };
}

/** Parses (refusing malformed documents) and returns the canonical JSON text to store. */
function policyText(document: PolicyInput, kind: 'identity' | 'trust'): string {
  return JSON.stringify(parsePolicy(document, kind).document);
}

export class Iam {
  readonly #ctx: EngineContext;
  readonly #store: RoleStore;
  readonly #usage: readonly RoleUsage[];

  /**
   * @internal built by the engine. `usage` lists who may use a role (functions, mappings):
   * deleteRole refuses while one reports a user.
   */
  constructor(ctx: EngineContext, deps: { store: RoleStore; usage: readonly RoleUsage[] }) {
    this.#ctx = ctx;
    this.#store = deps.store;
    this.#usage = deps.usage;
  }

  /**
   * Creates a role.
   *
   * @example
   * const { arn } = await engine.iam.createRole({
   *   name: 'lambda-exec',
   *   assumeRolePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow',
   *     Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
   *   policies: { logs: { Version: '2012-10-17', Statement: [{ Effect: 'Allow',
   *     Action: 'logs:*', Resource: 'arn:aws:logs:*:*:*' }] } },
   * });
   */
  async createRole(input: CreateRoleInput): Promise<Role> {
    this.#ctx.lifecycle.assertOpen();
    if (typeof input !== 'object' || input === null) {
      throw new LambdaliteError('ValidationError', 'createRole needs { name, assumeRolePolicy }');
    }
    const roleName = validateRoleName(input.name, 'name');
    const path = validatePath(input.path);
    const description = validateDescription(input.description);
    if (input.assumeRolePolicy === undefined) {
      throw new LambdaliteError('ValidationError', `assumeRolePolicy is required for role ${roleName}`);
    }
    const trust = policyText(input.assumeRolePolicy, 'trust');
    if (
      input.policies !== undefined &&
      (typeof input.policies !== 'object' || Array.isArray(input.policies))
    ) {
      throw new LambdaliteError('ValidationError', 'policies must be an object of policy documents by name');
    }
    const policies = new Map<string, string>();
    for (const [name, doc] of Object.entries(input.policies ?? {})) {
      policies.set(validatePolicyName(name), policyText(doc, 'identity'));
    }
    const loaded = await this.#store.update(roleName, (current) => {
      if (current)
        throw new LambdaliteError('EntityAlreadyExists', `Role with name ${roleName} already exists.`);
      const record: RoleRecord = {
        roleName,
        roleId: this.#store.newRoleId(),
        arn: this.#ctx.arns.role(roleName, path),
        path,
        ...(description === undefined ? {} : { description }),
        createDate: new Date(this.#ctx.clock.now()).toISOString(),
        assumeRolePolicyDocument: trust,
        policies: policyRecord(policies),
      };
      return record;
    });
    const role = toRole(loaded as LoadedRole);
    this.#ctx.events.emit('iam.roleCreated', { roleName, arn: role.arn });
    return role;
  }

  async getRole(roleName: string): Promise<Role> {
    this.#ctx.lifecycle.assertOpen();
    return toRole(await this.#store.require(validateRoleName(roleName)));
  }

  /** Roles sorted by name, optionally only those whose path starts with `pathPrefix`. */
  async listRoles(options?: { pathPrefix?: string }): Promise<Role[]> {
    this.#ctx.lifecycle.assertOpen();
    const prefix = readOptions(options, { pathPrefix: stringValue() }, 'ValidationError').pathPrefix ?? '/';
    return (await this.#store.list())
      .filter((r) => r.record.path.startsWith(prefix))
      .map(toRole)
      .sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0));
  }

  /**
   * Deletes a role; refused with DeleteConflict while a registered {@link RoleUsage} reports a
   * user (a function, a mapping, a bucket notification).
   */
  async deleteRole(roleName: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    validateRoleName(roleName);
    const { record } = await this.#store.require(roleName);
    const users = (await Promise.all(this.#usage.map((u) => u.usersOf(record.arn)))).flat();
    if (users.length > 0) {
      throw new LambdaliteError(
        'DeleteConflict',
        `Cannot delete entity, role ${record.roleName} is in use by ${users.join(', ')}.`,
      );
    }
    await this.#store.update(roleName, (current) => {
      if (!current)
        throw new LambdaliteError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
      return null;
    });
    this.#ctx.events.emit('iam.roleDeleted', { roleName: record.roleName, arn: record.arn });
  }

  /** Adds or replaces an inline permission policy of a role. */
  async putRolePolicy(roleName: string, policyName: string, document: PolicyInput): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    validateRoleName(roleName);
    validatePolicyName(policyName);
    const text = policyText(document, 'identity');
    const loaded = await this.#store.update(roleName, (current) => {
      if (!current)
        throw new LambdaliteError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
      const policies = new Map(current.policies).set(policyName, text);
      return { ...current.record, policies: policyRecord(policies) };
    });
    const arn = loaded?.record.arn ?? '';
    this.#ctx.events.emit('iam.rolePolicyPut', { roleName, arn, policyName });
  }

  async getRolePolicy(roleName: string, policyName: string): Promise<RolePolicy> {
    this.#ctx.lifecycle.assertOpen();
    const { record, policies } = await this.#store.require(validateRoleName(roleName));
    const text = policies.get(validatePolicyName(policyName));
    if (text === undefined) {
      throw new LambdaliteError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    return {
      roleName: record.roleName,
      policyName,
      policyDocument: JSON.parse(text) as Record<string, unknown>,
    };
  }

  async listRolePolicies(roleName: string): Promise<string[]> {
    return [...(await this.getRole(roleName)).policyNames];
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    validateRoleName(roleName);
    validatePolicyName(policyName);
    const loaded = await this.#store.update(roleName, (current) => {
      if (!current)
        throw new LambdaliteError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
      const policies = new Map(current.policies);
      if (!policies.delete(policyName)) {
        throw new LambdaliteError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
      }
      return { ...current.record, policies: policyRecord(policies) };
    });
    const arn = loaded?.record.arn ?? '';
    this.#ctx.events.emit('iam.rolePolicyDeleted', { roleName, arn, policyName });
  }

  /** Replaces the role's trust policy. */
  async updateAssumeRolePolicy(roleName: string, document: PolicyInput): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    validateRoleName(roleName);
    const text = policyText(document, 'trust');
    const loaded = await this.#store.update(roleName, (current) => {
      if (!current)
        throw new LambdaliteError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
      return { ...current.record, assumeRolePolicyDocument: text };
    });
    this.#ctx.events.emit('iam.trustPolicyUpdated', { roleName, arn: loaded?.record.arn ?? '' });
  }

  /**
   * Evaluates policies given inline: explicit Deny > Allow > implicit deny.
   *
   * @example
   * (await engine.iam.simulate({ policies: [doc], action: 's3:GetObject',
   *   resource: 'arn:aws:s3:::photos/a.jpg' })).decision // 'Allow'
   */
  async simulate(input: SimulateInput): Promise<SimulateResult> {
    return simulate(input);
  }
}
