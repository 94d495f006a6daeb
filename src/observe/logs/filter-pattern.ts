/**
 * CloudWatch Logs filter patterns (FilterLogEvents, metric filters): compiled once, then
 * applied per event in time linear in the message. Forms:
 * - terms: `ERROR timeout` (every term), `"Task timed out"` (a phrase), `ERROR -health`
 *   (exclusion), `?ERROR ?WARN` (any of them); terms are case-sensitive substrings.
 * - JSON: `{ $.level = "ERROR" && $.latency > 100 }` (json-pattern.ts).
 * - space-delimited: `[ip, user, ..., status = 5*, size]` (delimited-pattern.ts).
 * An empty pattern matches every event.
 */
import { compileDelimitedPattern } from './delimited-pattern.js';
import { compileJsonPattern } from './json-pattern.js';
import { invalidPattern, readQuoted } from './pattern-lexer.js';

/** Tests one log message. */
export type LogMatcher = (message: string) => boolean;

const MAX_PATTERN_LENGTH = 1024;

export const matchAll: LogMatcher = () => true;

export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  if (pattern === undefined) return matchAll;
  if (typeof pattern !== 'string' || pattern.length > MAX_PATTERN_LENGTH) {
    return invalidPattern(
      String(pattern),
      `a pattern is a string of at most ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  const text = pattern.trim();
  if (text === '') return matchAll;
  if (text.startsWith('{')) return compileJsonPattern(pattern);
  if (text.startsWith('[')) return compileDelimitedPattern(pattern);
  return compileTerms(pattern);
}

function compileTerms(pattern: string): LogMatcher {
  const all: string[] = [];
  const none: string[] = [];
  const any: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const list = ch === '-' ? none : ch === '?' ? any : all;
    if (list !== all) i++;
    let term: string;
    if (pattern[i] === '"') {
      [term, i] = readQuoted(pattern, i, pattern);
    } else {
      let j = i;
      while (j < pattern.length && pattern[j] !== ' ' && pattern[j] !== '\t') j++;
      term = pattern.slice(i, j);
      i = j;
    }
    if (term === '') invalidPattern(pattern, `'${ch}' must be followed by a term`);
    list.push(term);
  }
  return (message) => {
    for (const term of all) if (!message.includes(term)) return false;
    for (const term of none) if (message.includes(term)) return false;
    if (any.length === 0) return true;
    for (const term of any) if (message.includes(term)) return true;
    return false;
  };
}
