import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWildcard, type WildcardToken, type WorkMeter, wildcardTokens } from '../src/wildcard.js';

type Flavour = 'action' | 'resource' | 'string';

const OPTIONS = {
  action: { ignoreCase: true },
  resource: { separator: ':' },
  string: {},
} as const;

/** The translation IAM used before (a backtracking RegExp), kept as the reference on short inputs. */
function referenceRegExp(tokens: readonly WildcardToken[], flavour: Flavour): RegExp {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as WildcardToken;
    if (tok.t === 'text') out += tok.v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (tok.t === 'one') out += flavour === 'resource' ? '[^:]' : '[\\s\\S]';
    else if (flavour !== 'resource') out += '[\\s\\S]*';
    else {
      const next = tokens[i + 1];
      const endsSegment = next === undefined || (next.t === 'text' && next.v.startsWith(':'));
      out += endsSegment ? '[\\s\\S]*' : '[^:]*';
    }
  }
  return new RegExp(`^${out}$`, flavour === 'action' ? 'i' : '');
}

const letters = (chars: string, max: number) =>
  fc.array(fc.constantFrom(...chars.split('')), { maxLength: max }).map((a) => a.join(''));

describe('wildcard matching agrees with the regular expression it replaces', () => {
  for (const flavour of ['action', 'resource', 'string'] as const) {
    it(`${flavour} patterns`, () => {
      fc.assert(
        fc.property(letters('ab:*?/', 12), letters('ab:/', 14), (pattern, text) => {
          const tokens = wildcardTokens(pattern);
          const got = compileWildcard(tokens, OPTIONS[flavour]).matches(text);
          expect(got).toBe(referenceRegExp(tokens, flavour).test(text));
        }),
        { numRuns: 5_000 },
      );
    });
  }

  it('action patterns fold case as a case-insensitive RegExp does, non-ASCII letters included', () => {
    fc.assert(
      fc.property(letters('aAbBéÉıIſsSK\u212a*?', 8), letters('aAbBéÉıIſsSkK\u212a', 8), (pattern, text) => {
        const tokens = wildcardTokens(pattern);
        expect(compileWildcard(tokens, OPTIONS.action).matches(text)).toBe(
          referenceRegExp(tokens, 'action').test(text),
        );
      }),
      { numRuns: 5_000 },
    );
  });
});
