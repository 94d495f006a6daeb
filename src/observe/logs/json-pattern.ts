/**
 * CloudWatch's JSON filter patterns: `{ $.level = "ERROR" }`, `{ $.latency > 100 && ($.a.b[0]
 * = x* || $.ok IS TRUE) }`, `IS NULL`, `IS FALSE`, `NOT EXISTS`. The message is parsed once as
 * JSON; a Lambda text line (`time\tid\tLEVEL\t{...}`) is read from its first `{`.
 */
import { type Comparison, compare, comparison } from './compare.js';
import { invalidPattern, lex, TokenCursor } from './pattern-lexer.js';

type Step = string | number;
type Node =
  | { t: 'and' | 'or'; a: Node; b: Node }
  | { t: 'cmp'; path: Step[]; c: Comparison }
  | { t: 'is'; path: Step[]; what: 'null' | 'true' | 'false' | 'missing' };

const MISSING = Symbol('missing');

/** Compiles `{ ... }`; the returned function tests one message. */
export function compileJsonPattern(pattern: string): (message: string) => boolean {
  const body = pattern.trim();
  if (!body.endsWith('}')) invalidPattern(pattern, "a JSON pattern must end with '}'");
  const cursor = new TokenCursor(lex(body.slice(1, -1), pattern), pattern);
  const root = parseOr(cursor);
  if (!cursor.done) invalidPattern(pattern, `unexpected ${JSON.stringify(cursor.peek()?.value)}`);
  return (message) => {
    const doc = parseMessage(message);
    return doc !== MISSING && evaluate(root, doc);
  };
}

function parseMessage(message: string): unknown {
  const start = message.indexOf('{');
  if (start < 0) return MISSING;
  try {
    return JSON.parse(start === 0 ? message : message.slice(start));
  } catch {
    return MISSING;
  }
}

function parseOr(cursor: TokenCursor): Node {
  let node = parseAnd(cursor);
  while (cursor.accept('||')) node = { t: 'or', a: node, b: parseAnd(cursor) };
  return node;
}

function parseAnd(cursor: TokenCursor): Node {
  let node = parseUnary(cursor);
  while (cursor.accept('&&')) node = { t: 'and', a: node, b: parseUnary(cursor) };
  return node;
}

function parseUnary(cursor: TokenCursor): Node {
  if (cursor.accept('(')) {
    const node = parseOr(cursor);
    cursor.expect(')');
    return node;
  }
  const selector = cursor.next();
  if (selector.kind !== 'word' || !selector.value.startsWith('$')) {
    invalidPattern(cursor.pattern, `expected a selector like $.field, got ${JSON.stringify(selector.value)}`);
  }
  const path = parsePath(selector.value, cursor.pattern);
  const op = cursor.next();
  if (op.kind === 'op') {
    const value = cursor.next();
    if (value.kind !== 'word' && value.kind !== 'string')
      invalidPattern(cursor.pattern, 'a comparison needs a value');
    return { t: 'cmp', path, c: comparison(op.value, value) };
  }
  const word = op.kind === 'word' ? op.value.toUpperCase() : '';
  if (word === 'IS') {
    const what = cursor.next().value.toUpperCase();
    if (what === 'NULL' || what === 'TRUE' || what === 'FALSE') {
      return { t: 'is', path, what: what.toLowerCase() as 'null' | 'true' | 'false' };
    }
    invalidPattern(cursor.pattern, `IS must be followed by NULL, TRUE or FALSE, got ${JSON.stringify(what)}`);
  }
  if (word === 'NOT' && cursor.next().value.toUpperCase() === 'EXISTS')
    return { t: 'is', path, what: 'missing' };
  return invalidPattern(cursor.pattern, `expected an operator after ${selector.value}`);
}

/** `$.a.b[0].c` -> ['a', 'b', 0, 'c']. */
function parsePath(selector: string, pattern: string): Step[] {
  const steps: Step[] = [];
  let i = 1;
  while (i < selector.length) {
    const ch = selector[i];
    if (ch === '.') {
      let j = i + 1;
      while (j < selector.length && selector[j] !== '.' && selector[j] !== '[') j++;
      if (j === i + 1) invalidPattern(pattern, `empty field name in ${selector}`);
      steps.push(selector.slice(i + 1, j));
      i = j;
    } else if (ch === '[') {
      const close = selector.indexOf(']', i);
      const index = Number(selector.slice(i + 1, close));
      if (close < 0 || !Number.isInteger(index) || index < 0)
        invalidPattern(pattern, `bad array index in ${selector}`);
      steps.push(index);
      i = close + 1;
    } else {
      invalidPattern(pattern, `bad selector ${selector}`);
    }
  }
  if (steps.length === 0) invalidPattern(pattern, `selector ${selector} names no field`);
  return steps;
}

function select(doc: unknown, path: readonly Step[]): unknown {
  let value: unknown = doc;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return MISSING;
      value = value[step];
    } else {
      // Own properties only: '__proto__' or 'constructor' in a pattern select nothing inherited.
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return MISSING;
      value = (value as Record<string, unknown>)[step];
    }
  }
  return value;
}

function evaluate(node: Node, doc: unknown): boolean {
  switch (node.t) {
    case 'and':
      return evaluate(node.a, doc) && evaluate(node.b, doc);
    case 'or':
      return evaluate(node.a, doc) || evaluate(node.b, doc);
    case 'is': {
      const value = select(doc, node.path);
      if (node.what === 'missing') return value === MISSING;
      return value === (node.what === 'null' ? null : node.what === 'true');
    }
    case 'cmp': {
      const value = select(doc, node.path);
      return value !== MISSING && value !== null && compare(node.c, value);
    }
  }
}
