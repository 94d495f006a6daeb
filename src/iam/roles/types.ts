/** Roles as stored and as returned. */
import type { PolicyInput } from '../types.js';

export interface CreateRoleInput {
  /** 1-64 characters `[\w+=,.@-]`; unique regardless of case. */
  readonly name: string;
  /** Trust policy: who may assume the role (e.g. `{"Service": "lambda.amazonaws.com"}`). */
  readonly assumeRolePolicy: PolicyInput;
  /** Inline permission policies by name. */
  readonly policies?: Readonly<Record<string, PolicyInput>>;
  /** '/' by default; part of the ARN (`role/<path>name`). */
  readonly path?: string;
  readonly description?: string;
}

/** What the store keeps per role: one record, so every change is one put. */
export interface RoleRecord {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly description?: string;
  /** ISO-8601. */
  readonly createDate: string;
  /** JSON text of the trust policy. */
  readonly assumeRolePolicyDocument: string;
  /** JSON text of each inline policy by name. */
  readonly policies: Readonly<Record<string, string>>;
}

export interface Role {
  readonly arn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly path: string;
  readonly description?: string;
  readonly createDate: string;
  readonly assumeRolePolicyDocument: Record<string, unknown>;
  readonly policyNames: readonly string[];
}

export interface RolePolicy {
  readonly roleName: string;
  readonly policyName: string;
  readonly policyDocument: Record<string, unknown>;
}

/**
 * Tells whether something still uses a role (functions, mappings, bucket notifications).
 * The functions registry implements it; deleteRole asks every registered checker.
 */
export interface RoleUsage {
  /** Names of the things using `roleArn` (e.g. 'function:thumbnailer'); empty when unused. */
  usersOf(roleArn: string): Promise<readonly string[]>;
}
