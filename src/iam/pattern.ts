/**
 * Policy patterns. A pattern is cut once into tokens (text, `*`, `?`, `${variable}`) and handed
 * to the linear wildcard matcher (src/wildcard.ts); patterns without variables compile once,
 * patterns with variables compile per request after substitution (substituted values are
 * always literal text, never wildcards).
 *
 * Modes:
 * - 'action': case-insensitive; `*` any run, `?` one character.
 * - 'resource': case-sensitive ARN matching; `*` and `?` stay inside one colon-separated segment,
 *   except that a `*` ending a segment (followed by ':' or the end) may span following colons.
 * - 'string': case-sensitive, `*` and `?` match any characters (StringLike, ArnLike components).
 */
import { compileWildcard, type WildcardOptions, type WildcardToken, wildcardTokens } from '../wildcard.js';
import type { Pattern, VariableLookup } from './types.js';

export type PatternMode = 'action' | 'resource' | 'string';

type Token =
  | WildcardToken
  | { readonly t: 'var'; readonly key: string; readonly fallback: string | undefined };

const MODE_OPTIONS: ReadonlyMap<PatternMode, WildcardOptions> = new Map<PatternMode, WildcardOptions>([
  ['action', { ignoreCase: true }],
  ['resource', { separator: ':' }],
  ['string', {}],
]);

const VARIABLE = /\$\{([^}]*)\}/g;
/** `${*}`, `${?}` and `${$}` stand for the literal character. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['*', '*'],
  ['?', '?'],
  ['$', '$'],
]);

/** `key` or `key, 'default'` (the default supplies a value when the key is absent). */
function variableToken(body: string): Token {
  const comma = body.indexOf(',');
  if (comma > 0) {
    const fallback = body.slice(comma + 1).trim();
    if (
      fallback.length >= 2 &&
      fallback.startsWith("'") &&
      fallback.indexOf("'", 1) === fallback.length - 1
    ) {
      return { t: 'var', key: body.slice(0, comma).trim().toLowerCase(), fallback: fallback.slice(1, -1) };
    }
  }
  return { t: 'var', key: body.toLowerCase(), fallback: undefined };
}

/** Splits text into tokens; `${...}` is read only when `variables` is true (Version 2012-10-17). */
export function tokenize(source: string, variables: boolean, wildcards = true): Token[] {
  const tokens: Token[] = [];
  const pushText = (text: string): void => {
    if (wildcards) tokens.push(...wildcardTokens(text));
    else if (text) tokens.push({ t: 'text', v: text });
  };
  if (!variables) {
    pushText(source);
    return tokens;
  }
  let last = 0;
  for (const m of source.matchAll(VARIABLE)) {
    pushText(source.slice(last, m.index));
    last = m.index + m[0].length;
    const body = (m[1] ?? '').trim();
    const escaped = ESCAPES.get(body);
    tokens.push(escaped === undefined ? variableToken(body) : { t: 'text', v: escaped });
  }
  pushText(source.slice(last));
  return tokens;
}

/** Replaces variables by their values; undefined when one has no value and no default. */
function substitute(tokens: readonly Token[], lookup: VariableLookup): WildcardToken[] | undefined {
  const out: WildcardToken[] = [];
  for (const tok of tokens) {
    if (tok.t !== 'var') out.push(tok);
    else {
      const value = lookup(tok.key) ?? tok.fallback;
      if (value === undefined) return undefined;
      out.push({ t: 'text', v: value });
    }
  }
  return out;
}

/** Substitutes variables in plain text (StringEquals values and the like). */
export function resolveText(source: string, variables: boolean, lookup: VariableLookup): string | undefined {
  if (!variables || !source.includes('${')) return source;
  const tokens = substitute(tokenize(source, true, false), lookup);
  return tokens?.map((t) => (t.t === 'text' ? t.v : '')).join('');
}

/** Compiles a pattern once; `variables` is true only for Version 2012-10-17 documents. */
export function compilePattern(source: string, mode: PatternMode, variables: boolean): Pattern {
  if (source === '*') return { source, match: () => true };
  const options = MODE_OPTIONS.get(mode) ?? {};
  const tokens = tokenize(source, variables);
  const plain: WildcardToken[] = [];
  for (const tok of tokens) if (tok.t !== 'var') plain.push(tok);
  if (plain.length === tokens.length) {
    const wildcard = compileWildcard(plain, options);
    return { source, match: (text) => wildcard.matches(text) };
  }
  return {
    source,
    match(text, lookup) {
      const resolved = substitute(tokens, lookup);
      return resolved !== undefined && compileWildcard(resolved, options).matches(text);
    },
  };
}
