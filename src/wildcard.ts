/**
 * Wildcard matching (`*` any run, `?` one UTF-16 code unit) without regular expressions.
 *
 * A RegExp built from a user's pattern backtracks: five stars between slashes against a long
 * key that does not match took seconds, thirty stars took minutes, and the whole host stalled
 * meanwhile. This is Russ Cox's two-pointer matcher ("Glob Matching Can Be Simple And Fast Too"):
 * on a mismatch only the most recent star is extended, because a later star can absorb anything
 * an earlier one could. The work is O(pattern x text) steps at worst and linear in the text for a
 * given pattern, whatever the input (test/wildcard.test.ts counts them).
 *
 * With a `separator` (':' for ARNs), `*` and `?` stay inside one separator-delimited segment,
 * except a `*` that ends a segment (followed by the separator or the end of the pattern), which
 * also spans the following segments: AWS's rule for Resource elements. A star held inside its
 * segment cannot absorb what an earlier spanning star could, which breaks the argument above, so
 * matching is two-level: pattern segments against text segments with the same scan (a spanning
 * star acting as a star over whole text segments), each pair compared by the plain matcher.
 */

/** A compiled pattern's pieces: literal text, `?` or `*`. */
export type WildcardToken =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'one' }
  | { readonly t: 'star' };

export interface WildcardOptions {
  /**
   * Compare letters as a case-insensitive (non-unicode) RegExp would: each code unit by its
   * upper case when that is one code unit and does not turn a non-ASCII letter into ASCII.
   */
  readonly ignoreCase?: boolean;
  /** One character that `*` and `?` do not cross, except a `*` ending a segment. */
  readonly separator?: string;
}

/** Counts the matcher's steps, so tests and benchmarks can measure work instead of time. */
export interface WorkMeter {
  steps: number;
}

export interface Wildcard {
  matches(text: string, meter?: WorkMeter): boolean;
}

const ONE = -1;
const STAR = -2;

function canonical(unit: number): number {
  if (unit < 128) return unit >= 97 && unit <= 122 ? unit - 32 : unit;
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const folded = upper.charCodeAt(0);
  return folded < 128 ? unit : folded;
}

function fold(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 128;
  if (ascii) return text.toUpperCase();
  let out = '';
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(canonical(text.charCodeAt(i)));
  return out;
}

/** Splits literal text on `*` and `?` (no escapes): the tokens of a plain wildcard pattern. */
export function wildcardTokens(source: string): WildcardToken[] {
  const tokens: WildcardToken[] = [];
  let run = '';
  for (const ch of source) {
    if (ch === '*' || ch === '?') {
      if (run) tokens.push({ t: 'text', v: run });
      run = '';
      tokens.push(ch === '*' ? { t: 'star' } : { t: 'one' });
    } else run += ch;
  }
  if (run) tokens.push({ t: 'text', v: run });
  return tokens;
}

function atomsOf(tokens: readonly WildcardToken[], ignoreCase: boolean): number[] {
  const atoms: number[] = [];
  for (const tok of tokens) {
    if (tok.t === 'star') atoms.push(STAR);
    else if (tok.t === 'one') atoms.push(ONE);
    else
      for (let i = 0; i < tok.v.length; i++)
        atoms.push(ignoreCase ? canonical(tok.v.charCodeAt(i)) : tok.v.charCodeAt(i));
  }
  return atoms;
}

interface Steps {
  n: number;
}

/**
 * The two-pointer scan, over any elements: pattern positions [0, patternLength) against text
 * positions [0, textLength). A star matches any run; on a mismatch, retry from the last star
 * with one more text element. Used for characters and, one level up, for ARN segments.
 */
function scan(
  patternLength: number,
  textLength: number,
  isStar: (p: number) => boolean,
  accepts: (p: number, t: number) => boolean,
  steps: Steps,
): boolean {
  let px = 0;
  let tx = 0;
  let starPx = -1;
  let starTx = 0;
  while (px < patternLength || tx < textLength) {
    steps.n++;
    if (px < patternLength) {
      if (isStar(px)) {
        starPx = px;
        starTx = tx + 1;
        px++;
        continue;
      }
      if (tx < textLength && accepts(px, tx)) {
        px++;
        tx++;
        continue;
      }
    }
    if (starPx >= 0 && starTx <= textLength) {
      px = starPx;
      tx = starTx;
      continue;
    }
    return false;
  }
  return true;
}

/** Characters: `atoms` against `text[start, end)`. */
function matchRun(atoms: readonly number[], text: string, start: number, end: number, steps: Steps): boolean {
  return scan(
    atoms.length,
    end - start,
    (p) => atoms[p] === STAR,
    (p, t) => atoms[p] === ONE || atoms[p] === text.charCodeAt(start + t),
    steps,
  );
}

/** A segment of the pattern, or (null) a star over whole segments of the text. */
type Item = readonly number[] | null;

/** Pattern segments; one that ends with a star is followed by a star over whole segments. */
function segmentItems(atoms: readonly number[], separator: number): Item[] {
  const items: Item[] = [];
  let current: number[] = [];
  const close = (): void => {
    items.push(current);
    if (current[current.length - 1] === STAR) items.push(null);
    current = [];
  };
  for (const a of atoms) {
    if (a === separator) close();
    else current.push(a);
  }
  close();
  return items;
}

/** Segments: pattern items against the text's separator-delimited segments. */
function matchSegments(items: readonly Item[], text: string, separator: string, steps: Steps): boolean {
  const bounds: number[] = [0];
  for (let i = text.indexOf(separator); i >= 0; i = text.indexOf(separator, i + 1)) bounds.push(i, i + 1);
  bounds.push(text.length);
  return scan(
    items.length,
    bounds.length / 2,
    (p) => items[p] === null,
    (p, t) =>
      matchRun(items[p] as number[], text, bounds[2 * t] as number, bounds[2 * t + 1] as number, steps),
    steps,
  );
}

/**
 * Compiles tokens into a matcher. Literal text never acts as a wildcard, so callers that
 * substitute values into a pattern pass them as text tokens.
 *
 * @example
 * compileWildcard(wildcardTokens('arn:aws:s3:::photos/*.jpg'), { separator: ':' })
 *   .matches('arn:aws:s3:::photos/a/b.jpg') // true
 */
export function compileWildcard(tokens: readonly WildcardToken[], options: WildcardOptions = {}): Wildcard {
  const ignoreCase = options.ignoreCase === true;
  const separator = options.separator;
  if (separator !== undefined && separator.length !== 1) {
    throw new RangeError(`a wildcard separator must be one character, got ${JSON.stringify(separator)}`);
  }
  const atoms = atomsOf(tokens, ignoreCase);
  const prepare = ignoreCase ? fold : (text: string): string => text;
  const report = (steps: Steps, meter: WorkMeter | undefined, result: boolean): boolean => {
    if (meter) meter.steps += steps.n;
    return result;
  };
  if (!atoms.some((a) => a < 0)) {
    const joined = tokens.map((tok) => (tok.t === 'text' ? tok.v : '')).join('');
    const literal = prepare(joined);
    return { matches: (text, meter) => report({ n: 1 + text.length }, meter, prepare(text) === literal) };
  }
  const firstWildcard = atoms.findIndex((a) => a < 0);
  if (firstWildcard === atoms.length - 1 && atoms[firstWildcard] === STAR) {
    // The common policy shape (`logs:*`, `arn:aws:s3:::bucket/*`): a final star matches any
    // rest, the separator included, so the pattern is a prefix.
    const prefix = prepare(tokens.map((tok) => (tok.t === 'text' ? tok.v : '')).join(''));
    return {
      matches: (text, meter) => report({ n: 1 + prefix.length }, meter, prepare(text).startsWith(prefix)),
    };
  }
  if (separator === undefined) {
    return {
      matches: (text, meter) => {
        const steps = { n: 1 };
        const folded = prepare(text);
        return report(steps, meter, matchRun(atoms, folded, 0, folded.length, steps));
      },
    };
  }
  const items = segmentItems(
    atoms,
    ignoreCase ? canonical(separator.charCodeAt(0)) : separator.charCodeAt(0),
  );
  const foldedSeparator = prepare(separator);
  return {
    matches: (text, meter) => {
      const steps = { n: 1 };
      return report(steps, meter, matchSegments(items, prepare(text), foldedSeparator, steps));
    },
  };
}
