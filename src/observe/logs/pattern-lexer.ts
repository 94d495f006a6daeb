/**
 * The lexer shared by the JSON and space-delimited forms of CloudWatch filter patterns: quoted
 * strings, numbers, words, selectors and operators, in one left-to-right pass.
 */
import { fail } from '../../errors.js';

export type Token =
  | { kind: 'string'; value: string }
  /** A bare word or number as written (`ERROR`, `404`, `4*`, `$.a.b[0]`, `IS`). */
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: ComparisonOp }
  | { kind: 'punct'; value: '(' | ')' | '&&' | '||' | ',' | '...' | '{' | '}' | '[' | ']' };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

const WORD_END = new Set([' ', '\t', '\n', '\r', '(', ')', ',', '=', '!', '<', '>', '&', '|', '"', '{', '}']);

export function invalidPattern(pattern: string, why: string): never {
  return fail('InvalidParameterException', `Invalid filter pattern ${JSON.stringify(pattern)}: ${why}`);
}

/**
 * Reads a double-quoted string starting at `start` (the quote); returns its text (with `\"` and
 * `\\` unescaped) and the index after the closing quote.
 */
export function readQuoted(source: string, start: number, pattern: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\\' && i + 1 < source.length) {
      out += source[i + 1];
      i += 2;
    } else if (ch === '"') {
      return [out, i + 1];
    } else {
      out += ch;
      i++;
    }
  }
  return invalidPattern(pattern, 'a quoted string is not closed');
}

/**
 * Tokens of `source`. Square brackets inside a selector word (`$.a[0]`) stay part of the word;
 * `[` and `]` elsewhere are punctuation (the space-delimited form's delimiters).
 */
export function lex(source: string, pattern: string = source): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    const two = source.slice(i, i + 2);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch === '"') {
      const [value, next] = readQuoted(source, i, pattern);
      tokens.push({ kind: 'string', value });
      i = next;
    } else if (two === '&&' || two === '||') {
      tokens.push({ kind: 'punct', value: two });
      i += 2;
    } else if (two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', value: two });
      i += 2;
    } else if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', value: ch });
      i++;
    } else if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else if (
      ch === '(' ||
      ch === ')' ||
      ch === ',' ||
      ch === '{' ||
      ch === '}' ||
      ch === '[' ||
      ch === ']'
    ) {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else {
      let j = i;
      const selector = ch === '$';
      while (j < source.length && !WORD_END.has(source[j] as string)) {
        const c = source[j];
        if (!selector && (c === '[' || c === ']')) break;
        j++;
      }
      if (j === i) invalidPattern(pattern, `unexpected ${JSON.stringify(ch)} at ${i}`);
      tokens.push({ kind: 'word', value: source.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** A cursor over tokens for the recursive-descent parsers. */
export class TokenCursor {
  #at = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly pattern: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.#at];
  }

  next(): Token {
    const token = this.tokens[this.#at++];
    return token ?? invalidPattern(this.pattern, 'it ends too early');
  }

  /** Consumes the punctuation `value` if it comes next. */
  accept(value: string): boolean {
    const token = this.tokens[this.#at];
    if (token?.kind === 'punct' && token.value === value) {
      this.#at++;
      return true;
    }
    return false;
  }

  expect(value: string): void {
    if (!this.accept(value)) invalidPattern(this.pattern, `expected '${value}'`);
  }

  get done(): boolean {
    return this.#at >= this.tokens.length;
  }
}
