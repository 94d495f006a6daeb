/** Validation of role operation arguments, with IAM's limits and error wording. */
import { LambdaliteError } from '../../errors.js';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^\/(?:[\u0021-\u007e]+\/)?$/;

export function validateRoleName(name: unknown, option = 'roleName'): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 64 || !NAME.test(name)) {
    throw new LambdaliteError(
      'ValidationError',
      `${option} must be 1-64 characters of letters, digits and +=,.@_-, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function validatePolicyName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 128 || !NAME.test(name)) {
    throw new LambdaliteError(
      'ValidationError',
      `policyName must be 1-128 characters of letters, digits and +=,.@_-, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function validatePath(path: unknown): string {
  if (path === undefined) return '/';
  if (typeof path !== 'string' || path.length > 512 || !PATH.test(path)) {
    throw new LambdaliteError(
      'ValidationError',
      `path must start and end with '/' (1-512 printable characters), got ${JSON.stringify(path)}`,
    );
  }
  return path;
}

export function validateDescription(description: unknown): string | undefined {
  if (description === undefined) return undefined;
  if (typeof description !== 'string' || description.length > 1000) {
    throw new LambdaliteError(
      'ValidationError',
      `description must be a string of at most 1000 characters, got ${JSON.stringify(description)}`,
    );
  }
  return description;
}
