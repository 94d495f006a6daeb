/**
 * Condition operators (reference §8.2). Each operator compiles a policy value into a test of one
 * request value; {@link compileCondition} adds the rules around it: values OR (NOR when
 * negated), missing keys, `IfExists`, `Null`, and the `ForAnyValue:` / `ForAllValues:` qualifiers.
 */
import { cidrContains, parseCidr } from './ip.js';
import { compilePattern, resolveText } from './pattern.js';
import type { NormalizedContext, ParsedCondition, VariableLookup } from './types.js';

/** Tests one request value against one policy value. */
type ValueTest = (request: string, lookup: VariableLookup) => boolean;

interface OperatorDef {
  /** True for the NotEquals / NotLike / NotIpAddress family: values combine as NOR. */
  readonly negated: boolean;
  /** Compiles one policy value, or returns an error text when the value is invalid. */
  compile(value: string, variables: boolean): ValueTest | string;
}

function parseDate(text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text) * 1000;
  return Date.parse(text);
}

const str = (negated: boolean, ignoreCase: boolean): OperatorDef => ({
  negated,
  compile: (value, variables) => (request, lookup) => {
    const expected = resolveText(value, variables, lookup);
    if (expected === undefined) return false;
    return ignoreCase ? expected.toLowerCase() === request.toLowerCase() : expected === request;
  },
});

const like = (negated: boolean): OperatorDef => ({
  negated,
  compile: (value, variables) => {
    const pattern = compilePattern(value, 'string', variables);
    return (request, lookup) => pattern.match(request, lookup);
  },
});

const num = (negated: boolean, cmp: (a: number, b: number) => boolean): OperatorDef => ({
  negated,
  compile: (value) => {
    const expected = Number(value);
    if (value.trim() === '' || !Number.isFinite(expected)) return `'${value}' is not a number`;
    return (request) => {
      const n = Number(request);
      return request.trim() !== '' && Number.isFinite(n) && cmp(n, expected);
    };
  },
});

const date = (negated: boolean, cmp: (a: number, b: number) => boolean): OperatorDef => ({
  negated,
  compile: (value) => {
    const expected = parseDate(value);
    if (Number.isNaN(expected)) return `'${value}' is not an ISO-8601 date or epoch time`;
    return (request) => {
      const t = parseDate(request);
      return !Number.isNaN(t) && cmp(t, expected);
    };
  },
});

const ip = (negated: boolean): OperatorDef => ({
  negated,
  compile: (value) => {
    const cidr = parseCidr(value);
    if (!cidr) return `'${value}' is not an IP address or CIDR block`;
    return (request) => cidrContains(cidr, request);
  },
});

function arnComponents(text: string): string[] | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ArnEquals and ArnLike behave alike: each of the six components compared with wildcards.
// A value without policy variables is compiled once, with its policy; one with variables is
// resolved and compiled per request (compiling is one pass over the value).
const arn = (negated: boolean): OperatorDef => ({
  negated,
  compile: (value, variables) => {
    const components = (text: string | undefined) =>
      text === undefined ? undefined : arnComponents(text)?.map((p) => compilePattern(p, 'string', false));
    const fixed = !variables || !value.includes('${') ? (components(value) ?? null) : undefined;
    return (request, lookup) => {
      const want = fixed === undefined ? components(resolveText(value, variables, lookup)) : fixed;
      const got = arnComponents(request);
      return !!want && !!got && want.every((p, i) => p.match(got[i] ?? '', lookup));
    };
  },
});

const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

// A Map: operator names come from policy documents, and 'toString' or '__proto__' must be
// unknown operators, not Object.prototype's members.
const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map<string, OperatorDef>([
  ['StringEquals', str(false, false)],
  ['StringNotEquals', str(true, false)],
  ['StringEqualsIgnoreCase', str(false, true)],
  ['StringNotEqualsIgnoreCase', str(true, true)],
  ['StringLike', like(false)],
  ['StringNotLike', like(true)],
  ['NumericEquals', num(false, eq)],
  ['NumericNotEquals', num(true, eq)],
  ['NumericLessThan', num(false, lt)],
  ['NumericLessThanEquals', num(false, le)],
  ['NumericGreaterThan', num(false, gt)],
  ['NumericGreaterThanEquals', num(false, ge)],
  ['DateEquals', date(false, eq)],
  ['DateNotEquals', date(true, eq)],
  ['DateLessThan', date(false, lt)],
  ['DateLessThanEquals', date(false, le)],
  ['DateGreaterThan', date(false, gt)],
  ['DateGreaterThanEquals', date(false, ge)],
  [
    'Bool',
    {
      negated: false,
      compile: (value) => {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') return `'${value}' is not 'true' or 'false'`;
        return (request) => request.toLowerCase() === v;
      },
    },
  ],
  [
    'BinaryEquals',
    {
      negated: false,
      compile: (value) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return `'${value}' is not base64`;
        const bytes = Buffer.from(value, 'base64');
        return (request) => Buffer.from(request, 'base64').equals(bytes);
      },
    },
  ],
  ['IpAddress', ip(false)],
  ['NotIpAddress', ip(true)],
  ['ArnEquals', arn(false)],
  ['ArnLike', arn(false)],
  ['ArnNotEquals', arn(true)],
  ['ArnNotLike', arn(true)],
]);

/** Every operator name accepted (without qualifier or IfExists), for documentation and tests. */
export const CONDITION_OPERATORS: readonly string[] = Object.freeze([...OPERATORS.keys(), 'Null']);

interface OperatorName {
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly base: string;
  readonly ifExists: boolean;
}

function splitOperator(operator: string): OperatorName {
  let rest = operator;
  let qualifier: OperatorName['qualifier'];
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  return { qualifier, base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists };
}

/**
 * Compiles `"<operator>": { "<key>": values }` for one key. Returns an error text for an unknown
 * operator or an invalid value (the parser turns it into MalformedPolicyDocument).
 */
export function compileCondition(
  operator: string,
  key: string,
  values: readonly string[],
  variables: boolean,
): ParsedCondition | string {
  const { qualifier, base, ifExists } = splitOperator(operator);
  const keyLower = key.toLowerCase();
  if (base === 'Null') {
    if (ifExists) return `condition operator '${operator}': Null does not take IfExists`;
    const wanted: boolean[] = [];
    for (const v of values) {
      const lower = v.toLowerCase();
      if (lower !== 'true' && lower !== 'false')
        return `Null condition value '${v}' is not 'true' or 'false'`;
      wanted.push(lower === 'true');
    }
    return {
      operator,
      key,
      keyLower,
      values,
      test: (ctx) => {
        const absent = (ctx.get(keyLower)?.length ?? 0) === 0;
        return wanted.some((w) => w === absent);
      },
    };
  }
  const def = OPERATORS.get(base);
  if (!def) return `unknown condition operator '${operator}'`;
  const tests: ValueTest[] = [];
  for (const v of values) {
    const t = def.compile(v, variables);
    if (typeof t === 'string') return `condition ${operator} on '${key}': ${t}`;
    tests.push(t);
  }
  const { negated } = def;
  // One request value against the policy values: OR, or NOR when the operator is negated.
  const single = (request: string, lookup: VariableLookup): boolean => {
    const any = tests.some((t) => t(request, lookup));
    return negated ? !any : any;
  };
  const test = (ctx: NormalizedContext, lookup: VariableLookup): boolean => {
    const got = ctx.get(keyLower);
    const absent = got === undefined || got.length === 0;
    if (qualifier === 'ForAllValues') return absent ? true : got.every((r) => single(r, lookup));
    if (qualifier === 'ForAnyValue') return absent ? ifExists : got.some((r) => single(r, lookup));
    if (absent) return ifExists || negated;
    return negated ? got.every((r) => single(r, lookup)) : got.some((r) => single(r, lookup));
  };
  return { operator, key, keyLower, values, test };
}
