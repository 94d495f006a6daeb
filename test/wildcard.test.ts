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

describe('wildcard matching does work linear in the text', () => {
  const stars = (n: number) => `arn:aws:s3:::photos/${'*/'.repeat(n)}*.jpg`;
  const key = (n: number) => `arn:aws:s3:::photos/${'a/'.repeat(n)}x.png`;
  const steps = (pattern: string, text: string, flavour: Flavour): number => {
    const meter: WorkMeter = { steps: 0 };
    compileWildcard(wildcardTokens(pattern), OPTIONS[flavour]).matches(text, meter);
    return meter.steps;
  };

  for (const flavour of ['action', 'resource', 'string'] as const) {
    it(`${flavour}: a 30-star pattern against a non-matching text twice as long costs at most twice the steps`, () => {
      // The RegExp translation explores every way of cutting the text among the stars:
      // roughly (text / 2)^30 attempts for these inputs.
      const short = steps(stars(30), key(300), flavour);
      const long = steps(stars(30), key(600), flavour);
      expect(short).toBeLessThan(4 * key(300).length);
      expect(long).toBeLessThanOrEqual(2 * short + 2);
    });
  }

  it('never takes more than 2 (pattern + 1) (text + 1) steps, whatever the inputs', () => {
    fc.assert(
      fc.property(
        letters('ab:*?', 40),
        letters('ab:', 200),
        fc.constantFrom<Flavour>('action', 'resource', 'string'),
        (pattern, text, flavour) => {
          expect(steps(pattern, text, flavour)).toBeLessThanOrEqual(
            2 * (pattern.length + 1) * (text.length + 1) + 2,
          );
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
