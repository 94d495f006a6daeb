/**
 * The subset of DynamoDB's expression language the engine's operations can express:
 * UpdateExpression `SET a = :v, #b = :w REMOVE c`, KeyConditionExpression
 * `pk = :v [AND sk <op> :w | sk BETWEEN :a AND :b | begins_with(sk, :p)]`, and
 * ConditionExpression `attribute_exists(x)` / `attribute_not_exists(x)`. Anything else is
 * refused with a ValidationException naming it. Top-level attributes only.
 */
import type { Item, ItemCondition, ItemUpdate, SortKeyCondition } from '../../tables/model.js';
import type { JsonObject } from '../protocols/json.js';
import { WireError } from '../wire-error.js';

function invalid(message: string): never {
  throw new WireError('ValidationException', 400, message);
}

const TOKEN = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|<>|<=|>=|[=<>(),.[\]+-])/y;

class Tokens {
  readonly #list: string[] = [];
  #at = 0;

  constructor(
    readonly text: string,
    private readonly names: JsonObject | undefined,
    private readonly values: ReadonlyMap<string, unknown>,
  ) {
    let at = 0;
    for (;;) {
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(text);
      if (m === null) break;
      this.#list.push(m[1]!);
      at = TOKEN.lastIndex;
    }
    if (text.slice(at).trim() !== '')
      invalid(`Invalid expression: Syntax error near "${text.slice(at).trim()}"`);
  }

  peek(): string | undefined {
    return this.#list[this.#at];
  }

  next(what: string): string {
    const token = this.#list[this.#at++];
    if (token === undefined) invalid(`Invalid expression: expected ${what} at the end of "${this.text}"`);
    return token;
  }

  expect(token: string): void {
    const got = this.next(`'${token}'`);
    if (got.toUpperCase() !== token.toUpperCase())
      invalid(`Invalid expression: expected '${token}', got '${got}' in "${this.text}"`);
  }

  keyword(word: string): boolean {
    if (this.peek()?.toUpperCase() !== word) return false;
    this.#at++;
    return true;
  }

  done(): boolean {
    return this.#at >= this.#list.length;
  }

  /** A top-level attribute name (`#placeholder` or a plain name). */
  name(): string {
    const token = this.next('an attribute name');
    let name = token;
    if (token.startsWith('#')) {
      const resolved =
        this.names !== undefined && Object.hasOwn(this.names, token) ? this.names[token] : undefined;
      if (typeof resolved !== 'string') {
        invalid(
          `An expression attribute name used in the document path is not defined; attribute name: ${token}`,
        );
      }
      name = resolved;
    } else if (!/^[A-Za-z_]/.test(token)) {
      invalid(`Invalid expression: expected an attribute name, got '${token}' in "${this.text}"`);
    }
    const after = this.peek();
    if (after === '.' || after === '[')
      invalid(`Nested attribute paths are not supported by lambdalite: ${this.text}`);
    return name;
  }

  /** An `:placeholder` value. */
  value(): unknown {
    const token = this.next('a value');
    if (!token.startsWith(':')) {
      invalid(
        `lambdalite supports only :placeholder values here (no functions or arithmetic), got '${token}' in "${this.text}"`,
      );
    }
    if (!this.values.has(token))
      invalid(`An expression attribute value used in expression is not defined; attribute value: ${token}`);
    const after = this.peek();
    if (after === '+' || after === '-')
      invalid(`Arithmetic in update expressions is not supported by lambdalite: ${this.text}`);
    return this.values.get(token);
  }
}

export function parseUpdate(
  text: string,
  names: JsonObject | undefined,
  values: ReadonlyMap<string, unknown>,
): ItemUpdate {
  const t = new Tokens(text, names, values);
  const set: Item = Object.create(null);
  const remove: string[] = [];
  while (!t.done()) {
    if (t.keyword('SET')) {
      do {
        const name = t.name();
        t.expect('=');
        set[name] = t.value();
      } while (t.keyword(','));
    } else if (t.keyword('REMOVE')) {
      do remove.push(t.name());
      while (t.keyword(','));
    } else {
      invalid(
        `Invalid UpdateExpression: lambdalite supports SET and REMOVE clauses, got '${t.peek()}' in "${text}"`,
      );
    }
  }
  return { ...(Object.keys(set).length === 0 ? {} : { set }), ...(remove.length === 0 ? {} : { remove }) };
}

const COMPARISONS: ReadonlyMap<string, 'eq' | 'lt' | 'lte' | 'gt' | 'gte'> = new Map([
  ['=', 'eq'],
  ['<', 'lt'],
  ['<=', 'lte'],
  ['>', 'gt'],
  ['>=', 'gte'],
] as const);

interface KeyTerm {
  readonly name: string;
  readonly condition: SortKeyCondition;
}

function keyTerm(t: Tokens): KeyTerm {
  if (t.peek()?.toLowerCase() === 'begins_with') {
    t.next('begins_with');
    t.expect('(');
    const name = t.name();
    t.expect(',');
    const prefix = t.value();
    t.expect(')');
    if (typeof prefix !== 'string' && !(prefix instanceof Uint8Array))
      invalid('begins_with takes a string or binary value');
    return { name, condition: { beginsWith: prefix } };
  }
  const name = t.name();
  if (t.keyword('BETWEEN')) {
    const low = t.value();
    t.expect('AND');
    return { name, condition: { between: [low, t.value()] } };
  }
  const op = t.next('a comparison');
  const kind = COMPARISONS.get(op);
  if (kind === undefined) invalid(`Invalid KeyConditionExpression: unsupported operator '${op}'`);
  return { name, condition: { [kind]: t.value() } as SortKeyCondition };
}

export function parseKeyCondition(
  text: string,
  names: JsonObject | undefined,
  values: ReadonlyMap<string, unknown>,
  partitionKey: string,
): { partitionKey: unknown; sortKey?: SortKeyCondition } {
  const t = new Tokens(text, names, values);
  const terms: KeyTerm[] = [keyTerm(t)];
  while (t.keyword('AND')) terms.push(keyTerm(t));
  if (!t.done()) invalid(`Invalid KeyConditionExpression: unexpected '${t.peek()}' in "${text}"`);
  const pk = terms.find((term) => term.name === partitionKey);
  if (pk === undefined || !('eq' in pk.condition)) {
    invalid(`Query condition missed key schema element: ${partitionKey}`);
  }
  const others = terms.filter((term) => term !== pk);
  if (others.length > 1) invalid('KeyConditionExpressions must only contain one condition per key');
  return {
    partitionKey: pk.condition.eq,
    ...(others[0] === undefined ? {} : { sortKey: others[0].condition }),
  };
}

export function parseCondition(
  text: string,
  names: JsonObject | undefined,
  values: ReadonlyMap<string, unknown>,
): ItemCondition {
  const t = new Tokens(text, names, values);
  const fn = t.next('a function').toLowerCase();
  if (fn !== 'attribute_exists' && fn !== 'attribute_not_exists') {
    invalid(
      `lambdalite supports ConditionExpression attribute_exists(x) or attribute_not_exists(x), got "${text}"`,
    );
  }
  t.expect('(');
  const name = t.name();
  t.expect(')');
  if (!t.done()) invalid(`lambdalite supports a single condition, got "${text}"`);
  return fn === 'attribute_exists' ? { attributeExists: name } : { attributeNotExists: name };
}
