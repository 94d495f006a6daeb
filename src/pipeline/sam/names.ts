/**
 * Physical names for resources a template leaves unnamed. CloudFormation makes
 * `<stack>-<LogicalId>-<random>`; here the name is `<stack>-<LogicalId>` without the random
 * part, so applying the template again finds the same resources. Each is cut to its service's
 * length and character rules.
 */
import type { ResourceKind } from '../types.js';

const RULES: ReadonlyMap<ResourceKind, { max: number; bad: RegExp; lower?: boolean }> = new Map([
  ['bucket', { max: 63, bad: /[^a-z0-9.-]/g, lower: true }],
  ['function', { max: 64, bad: /[^a-zA-Z0-9_-]/g }],
  ['role', { max: 64, bad: /[^\w+=,.@-]/g }],
  ['stream', { max: 128, bad: /[^a-zA-Z0-9_.-]/g }],
  ['table', { max: 255, bad: /[^a-zA-Z0-9_.-]/g }],
]);

export function generatedName(kind: ResourceKind, stack: string, logicalId: string): string {
  const rule = RULES.get(kind);
  const raw = `${stack}-${logicalId}`;
  if (!rule) return raw;
  const cased = rule.lower ? raw.toLowerCase() : raw;
  return cased
    .replace(rule.bad, '-')
    .slice(0, rule.max)
    .replace(/[-.]+$/, '');
}
