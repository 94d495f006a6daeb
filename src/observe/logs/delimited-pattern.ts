/**
 * CloudWatch's space-delimited filter patterns: `[ip, user, ..., status = 4* || status = 5*,
 * size > 1000]`. A message is cut into fields at spaces and tabs; text in double quotes or in
 * square brackets is one field. `...` stands for any number of fields. Fields are matched with
 * the two-pointer scan of globs (`...` as the star), so a pattern never backtracks more than
 * once per ellipsis.
 */
import { type Comparison, compare, comparison } from './compare.js';
import { invalidPattern, lex, TokenCursor } from './pattern-lexer.js';

/** One field of the pattern: `...`, or a name with optional conditions on it. */
type Field = { ellipsis: true } | { ellipsis: false; test: Condition | undefined };
type Condition = { t: 'and' | 'or'; a: Condition; b: Condition } | { t: 'cmp'; c: Comparison };

export function compileDelimitedPattern(pattern: string): (message: string) => boolean {
  const body = pattern.trim();
  if (!body.endsWith(']')) invalidPattern(pattern, "a space-delimited pattern must end with ']'");
  const cursor = new TokenCursor(lex(body.slice(1, -1), pattern), pattern);
  const fields: Field[] = [];
  while (!cursor.done) {
    fields.push(parseField(cursor));
    if (!cursor.done) cursor.expect(',');
  }
  if (fields.length === 0) invalidPattern(pattern, 'it names no field');
  return (message) => matchFields(fields, splitFields(message));
}

function parseField(cursor: TokenCursor): Field {
  if (cursor.accept('...')) return { ellipsis: true };
  const name = cursor.next();
  if (name.kind !== 'word')
    invalidPattern(cursor.pattern, `expected a field name, got ${JSON.stringify(name.value)}`);
  const next = cursor.peek();
  if (next?.kind !== 'op') return { ellipsis: false, test: undefined };
  return { ellipsis: false, test: parseCondition(cursor, name.value, true) };
}

/** `op value` after the name, then `&& name op value` / `|| name op value` on the same field. */
function parseCondition(cursor: TokenCursor, name: string, first: boolean): Condition {
  if (!first) {
    const again = cursor.next();
    if (again.value !== name)
      invalidPattern(cursor.pattern, `a condition of field ${name} names ${again.value}`);
  }
  const op = cursor.next();
  if (op.kind !== 'op') invalidPattern(cursor.pattern, `expected an operator after ${name}`);
  const value = cursor.next();
  if (value.kind !== 'word' && value.kind !== 'string')
    invalidPattern(cursor.pattern, `${name} needs a value`);
  let node: Condition = { t: 'cmp', c: comparison(op.value, value) };
  for (;;) {
    if (cursor.accept('&&')) node = { t: 'and', a: node, b: parseCondition(cursor, name, false) };
    else if (cursor.accept('||')) node = { t: 'or', a: node, b: parseCondition(cursor, name, false) };
    else return node;
  }
}

/** Fields of a message: runs between spaces or tabs; "quoted" and [bracketed] runs are one. */
export function splitFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    const ch = message[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const close = ch === '"' ? '"' : ch === '[' ? ']' : undefined;
    if (close !== undefined) {
      const end = message.indexOf(close, i + 1);
      if (end > 0) {
        fields.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && message[j] !== ' ' && message[j] !== '\t' && message[j] !== '\n' && message[j] !== '\r')
      j++;
    fields.push(message.slice(i, j));
    i = j;
  }
  return fields;
}

function test(condition: Condition, value: string): boolean {
  if (condition.t === 'cmp') return compare(condition.c, value);
  return condition.t === 'and'
    ? test(condition.a, value) && test(condition.b, value)
    : test(condition.a, value) || test(condition.b, value);
}

function fieldMatches(field: Field, value: string): boolean {
  return field.ellipsis || field.test === undefined || test(field.test, value);
}

function matchFields(pattern: readonly Field[], fields: readonly string[]): boolean {
  let p = 0;
  let f = 0;
  let star = -1;
  let retry = 0;
  while (f < fields.length) {
    const field = pattern[p];
    if (field?.ellipsis) {
      star = p++;
      retry = f;
    } else if (field && fieldMatches(field, fields[f] as string)) {
      p++;
      f++;
    } else if (star >= 0) {
      p = star + 1;
      f = ++retry;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p]?.ellipsis) p++;
  return p === pattern.length;
}
