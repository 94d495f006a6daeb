/**
 * One statement of a policy: element checks (MalformedPolicyDocument naming the statement by
 * index and Sid) and compilation of its patterns, principal and conditions.
 */
import { LambdaliteError } from '../errors.js';
import { compileCondition } from './conditions.js';
import { compilePattern } from './pattern.js';
import type {
  Effect,
  ParsedCondition,
  ParsedStatement,
  PolicyKind,
  PrincipalSpec,
  PrincipalType,
} from './types.js';

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

export class StatementParser {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly index: number,
    private readonly kind: PolicyKind,
    private readonly variables: boolean,
  ) {}

  private where(): string {
    const sid = typeof this.raw['Sid'] === 'string' ? ` (Sid "${this.raw['Sid']}")` : '';
    return `statement ${this.index}${sid}`;
  }

  private fail(problem: string): never {
    return malformed(`${problem} in ${this.where()}`);
  }

  private strings(name: string, value: unknown): string[] {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) this.fail(`${name} must not be an empty list`);
    for (const v of list) {
      if (typeof v !== 'string' || v === '')
        this.fail(`${name} must be a non-empty string or list of strings`);
    }
    return list as string[];
  }

  /** Exactly one of `name` / `Not<name>` (or neither when optional). */
  private pair(name: string, required: boolean): { negated: boolean; values: string[] } | undefined {
    const has = this.raw[name] !== undefined;
    const hasNot = this.raw[`Not${name}`] !== undefined;
    if (has && hasNot) this.fail(`${name} and Not${name} must not both be present`);
    if (!has && !hasNot) {
      if (required) this.fail(`missing ${name} (or Not${name})`);
      return undefined;
    }
    const element = has ? name : `Not${name}`;
    return { negated: hasNot, values: this.strings(element, this.raw[element]) };
  }

  parse(): ParsedStatement {
    for (const k of Object.keys(this.raw)) {
      if (!STATEMENT_ELEMENTS.has(k)) this.fail(`unknown element '${k}'`);
    }
    const sid = this.raw['Sid'];
    if (sid !== undefined && typeof sid !== 'string') this.fail('Sid must be a string');
    const effect = this.raw['Effect'];
    if (effect === undefined) this.fail('missing Effect');
    if (effect !== 'Allow' && effect !== 'Deny') {
      this.fail(`Effect must be 'Allow' or 'Deny', got ${JSON.stringify(effect)}`);
    }
    const actions = this.pair('Action', true);
    for (const a of actions?.values ?? []) {
      if (a !== '*' && !/^[^:*?]+:.+$/.test(a)) this.fail(`action '${a}' must look like 'service:Operation'`);
    }
    const resources = this.pair('Resource', this.kind !== 'trust');
    if (resources && this.kind === 'trust') this.fail(`a trust policy must not have Resource`);
    for (const r of resources?.values ?? []) {
      if (r !== '*' && !r.startsWith('arn:')) this.fail(`resource '${r}' must be in ARN format or "*"`);
    }
    return {
      index: this.index,
      sid,
      effect: effect as Effect,
      principal: this.principal(),
      actions: {
        negated: actions?.negated ?? false,
        patterns: (actions?.values ?? []).map((a) => compilePattern(a, 'action', false)),
      },
      resources: resources && {
        negated: resources.negated,
        patterns: resources.values.map((r) => compilePattern(r, 'resource', this.variables)),
      },
      conditions: this.conditions(),
    };
  }

  private principal(): PrincipalSpec | undefined {
    const has = this.raw['Principal'] !== undefined;
    const hasNot = this.raw['NotPrincipal'] !== undefined;
    if (this.kind === 'identity') {
      if (has || hasNot) this.fail('an identity policy must not specify a Principal');
      return undefined;
    }
    if (has && hasNot) this.fail('Principal and NotPrincipal must not both be present');
    if (!has && !hasNot) this.fail('missing Principal (or NotPrincipal)');
    const element = has ? 'Principal' : 'NotPrincipal';
    const raw = this.raw[element];
    if (raw === '*') return { negated: hasNot, any: true, values: new Map() };
    if (!isObject(raw)) this.fail(`${element} must be "*" or an object such as {"Service": "..."}`);
    const values = new Map<PrincipalType, string[]>();
    for (const [type, v] of Object.entries(raw)) {
      if (!PRINCIPAL_TYPES.includes(type as PrincipalType)) {
        this.fail(`unknown ${element} type '${type}' (expected ${PRINCIPAL_TYPES.join(', ')})`);
      }
      values.set(type as PrincipalType, this.strings(`${element}.${type}`, v));
    }
    if (values.size === 0) this.fail(`${element} must name at least one principal`);
    return { negated: hasNot, any: false, values };
  }

  private conditions(): ParsedCondition[] {
    const raw = this.raw['Condition'];
    if (raw === undefined) return [];
    if (!isObject(raw)) this.fail('Condition must be an object of operators');
    const out: ParsedCondition[] = [];
    for (const [operator, block] of Object.entries(raw)) {
      if (!isObject(block)) this.fail(`condition ${operator} must be an object of keys`);
      for (const [key, value] of Object.entries(block)) {
        const list = Array.isArray(value) ? value : [value];
        const values: string[] = [];
        for (const v of list) {
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
            this.fail(`condition ${operator} on '${key}' must have string, number or boolean values`);
          }
          values.push(String(v));
        }
        const compiled = compileCondition(operator, key, values, this.variables);
        if (typeof compiled === 'string') this.fail(compiled);
        out.push(compiled);
      }
    }
    return out;
  }
}

export function malformed(problem: string): never {
  throw new LambdaliteError('MalformedPolicyDocument', `MalformedPolicyDocument: ${problem}`);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
