/**
 * Wildcard patterns. A pattern is cut once into tokens (text, `*`, `?`, `${variable}`) and
 * turned into a RegExp; patterns without variables compile once, patterns with variables
 * compile per request after substitution (substituted values are always literal text).
 *
 * Modes:
 * - 'action': case-insensitive; `*` any run, `?` one character.
 * - 'resource': case-sensitive ARN matching; `*` and `?` stay inside one colon-separated segment,
 *   except that a `*` ending a segment (followed by ':' or the end) may span following colons.
 * - 'string': case-sensitive, `*` and `?` match any characters (StringLike, ArnLike components).
 */
import type { Pattern, VariableLookup } from './types.js';

export type PatternMode = 'action' | 'resource' | 'string';

type Token =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'star' }
  | { readonly t: 'one' }
  | { readonly t: 'var'; readonly key: string; readonly fallback: string | undefined };

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/** Splits text into tokens; `${...}` is read only when `variables` is true (Version 2012-10-17). */
export function tokenize(source: string, variables: boolean, wildcards = true): Token[] {
  const tokens: Token[] = [];
  const pushText = (text: string): void => {
    if (!wildcards) {
      if (text) tokens.push({ t: 'text', v: text });
      return;
    }
    let run = '';
    for (const ch of text) {
      if (ch === '*' || ch === '?') {
        if (run) tokens.push({ t: 'text', v: run });
        run = '';
        tokens.push(ch === '*' ? { t: 'star' } : { t: 'one' });
      } else run += ch;
    }
    if (run) tokens.push({ t: 'text', v: run });
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
    const escaped = ESCAPES[body];
    if (escaped !== undefined) tokens.push({ t: 'text', v: escaped });
    else {
      // `${key, 'default'}` supplies a value when the key is absent.
      const withDefault = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(body);
      tokens.push(
        withDefault
          ? { t: 'var', key: (withDefault[1] ?? '').trim().toLowerCase(), fallback: withDefault[2] }
          : { t: 'var', key: body.toLowerCase(), fallback: undefined },
      );
    }
  }
  pushText(source.slice(last));
  return tokens;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toRegExp(tokens: readonly Token[], mode: PatternMode): RegExp {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    if (tok.t === 'text') out += escapeRegExp(tok.v);
    else if (tok.t === 'one') out += mode === 'resource' ? '[^:]' : '[\\s\\S]';
    else if (tok.t === 'star') {
      if (mode !== 'resource') out += '[\\s\\S]*';
      else {
        const next = tokens[i + 1];
        const endsSegment = next === undefined || (next.t === 'text' && next.v.startsWith(':'));
        out += endsSegment ? '[\\s\\S]*' : '[^:]*';
      }
    }
  }
  return new RegExp(`^${out}$`, mode === 'action' ? 'i' : '');
}

/** Replaces variables by their values; undefined when one has no value and no default. */
function substitute(tokens: readonly Token[], lookup: VariableLookup): Token[] | undefined {
  const out: Token[] = [];
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

const compiled = new Map<string, RegExp>();
const COMPILED_MAX = 10_000;

function cachedRegExp(source: string, mode: PatternMode, tokens: readonly Token[]): RegExp {
  const key = `${mode}\u0000${source}`;
  let re = compiled.get(key);
  if (!re) {
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    re = toRegExp(tokens, mode);
    compiled.set(key, re);
  }
  return re;
}

/** Compiles a pattern once; `variables` is true only for Version 2012-10-17 documents. */
export function compilePattern(source: string, mode: PatternMode, variables: boolean): Pattern {
  if (mode !== 'resource' && source === '*') return { source, match: () => true };
  const tokens = tokenize(source, variables);
  if (!tokens.some((t) => t.t === 'var')) {
    if (mode === 'resource' && source === '*') return { source, match: () => true };
    const hasWildcard = tokens.some((t) => t.t !== 'text');
    if (!hasWildcard) {
      const literal = tokens.map((t) => (t.t === 'text' ? t.v : '')).join('');
      if (mode === 'action') {
        const lower = literal.toLowerCase();
        return { source, match: (text) => text.toLowerCase() === lower };
      }
      return { source, match: (text) => text === literal };
    }
    const re = cachedRegExp(source, mode, tokens);
    return { source, match: (text) => re.test(text) };
  }
  return {
    source,
    match(text, lookup) {
      const resolved = substitute(tokens, lookup);
      return resolved !== undefined && toRegExp(resolved, mode).test(text);
    },
  };
}
