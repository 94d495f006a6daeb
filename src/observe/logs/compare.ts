/**
 * One comparison of a filter pattern (`= 404`, `!= "ok"`, `> 100`, `= Update*`) applied to a
 * value read from a log event: numbers compare numerically, text with `*` wildcards.
 */

import { globMatch } from './glob.js';
import type { ComparisonOp, Token } from './pattern-lexer.js';

export interface Comparison {
  op: ComparisonOp;
  /** The value as written (unquoted). */
  text: string;
  /** The value as a number, when it is one and was not quoted. */
  number: number | undefined;
}

export function comparison(op: ComparisonOp, token: Token): Comparison {
  const text = token.value;
  const number = token.kind === 'word' && text.trim() !== '' ? Number(text) : Number.NaN;
  return { op, text, number: Number.isFinite(number) ? number : undefined };
}

/** Compares a value of the event (text, number, boolean...) with the pattern's. */
export function compare(c: Comparison, value: unknown): boolean {
  if (value === undefined) return false;
  if (c.number !== undefined) {
    const actual = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (Number.isNaN(actual) || (typeof value === 'string' && value.trim() === '')) return c.op === '!=';
    switch (c.op) {
      case '=':
        return actual === c.number;
      case '!=':
        return actual !== c.number;
      case '<':
        return actual < c.number;
      case '<=':
        return actual <= c.number;
      case '>':
        return actual > c.number;
      case '>=':
        return actual >= c.number;
    }
  }
  if (c.op !== '=' && c.op !== '!=') return false;
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const equal = globMatch(c.text, text);
  return c.op === '=' ? equal : !equal;
}
