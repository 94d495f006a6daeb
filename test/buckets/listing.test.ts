import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { BACKEND_KINDS, openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';

async function fill(engine: Engine, bucket: string, keys: string[]): Promise<void> {
  await engine.buckets.create(bucket);
  for (const key of keys) await engine.buckets.putObject(bucket, key, key);
}

/** The listing S3 defines, computed naively: items in UTF-8 order, rolled up by delimiter. */
function model(keys: string[], prefix: string, delimiter: string | undefined, startAfter = ''): string[] {
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const items: string[] = [];
  for (const key of sorted) {
    if (!key.startsWith(prefix) || Buffer.compare(Buffer.from(key), Buffer.from(startAfter)) <= 0) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const item = delimiter && cut >= 0 ? `P:${key.slice(0, cut + delimiter.length)}` : `K:${key}`;
    if (items.at(-1) !== item) items.push(item);
  }
  return items;
}

async function pages(
  engine: Engine,
  bucket: string,
  options: { prefix?: string; delimiter?: string; maxKeys: number; startAfter?: string },
): Promise<{ items: string[]; pageSizes: number[] }> {
  const items: string[] = [];
  const pageSizes: number[] = [];
  let token: string | undefined;
  do {
    const page = await engine.buckets.listObjects(bucket, { ...options, continuationToken: token });
    const got = [...page.contents.map((c) => `K:${c.key}`), ...page.commonPrefixes.map((p) => `P:${p}`)];
    got.sort((a, b) => Buffer.compare(Buffer.from(a.slice(2)), Buffer.from(b.slice(2))));
    items.push(...got);
    pageSizes.push(page.keyCount);
    expect(page.keyCount).toBe(page.contents.length + page.commonPrefixes.length);
    expect(page.keyCount).toBeLessThanOrEqual(options.maxKeys);
    expect(page.isTruncated).toBe(page.nextContinuationToken !== undefined);
    token = page.nextContinuationToken;
  } while (token);
  return { items, pageSizes };
}

const KEYS = [
  'a',
  'a/1',
  'a/2',
  'a/3/x',
  'a/3/y',
  'ab',
  'b/1',
  'b/2',
  'b/3',
  'b/4',
  'c',
  'c/',
  'c//d',
  'd/e/f',
  'photos/2024/1.jpg',
  'photos/2024/2.jpg',
  'photos/2025/1.jpg',
  'photos/x.jpg',
  'z',
  'é',
  'éa/b',
  '日本/1',
  '日本/2',
  '\u{1F600}',
  '\uFFFD',
];

describe.each(BACKEND_KINDS)('listObjects (%s)', (kind) => {
  it('returns keys in UTF-8 binary order, rolling keys up into common prefixes', async () => {
    const engine = await openEngine(kind);
    await fill(engine, 'list', KEYS);
    const page = await engine.buckets.listObjects('list', { delimiter: '/' });
    expect(page.contents.map((c) => c.key)).toEqual(['a', 'ab', 'c', 'z', 'é', '\uFFFD', '\u{1F600}']);
    expect(page.commonPrefixes).toEqual(['a/', 'b/', 'c/', 'd/', 'photos/', 'éa/', '日本/']);
    expect(page.keyCount).toBe(14);
    expect(page.isTruncated).toBe(false);
    expect(page.contents[0]).toMatchObject({
      size: 1,
      storageClass: 'STANDARD',
      eTag: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const nested = await engine.buckets.listObjects('list', { prefix: 'photos/', delimiter: '/' });
    expect(nested.contents.map((c) => c.key)).toEqual(['photos/x.jpg']);
    expect(nested.commonPrefixes).toEqual(['photos/2024/', 'photos/2025/']);
  });

  it('pages every combination of prefix, delimiter and maxKeys exactly like the naive model', async () => {
    const engine = await openEngine(kind);
    await fill(engine, 'pages', KEYS);
    for (const prefix of ['', 'a', 'a/', 'b/', 'photos/', 'é', 'none']) {
      for (const delimiter of [undefined, '/', '2', 'ab']) {
        for (const maxKeys of [1, 2, 3, 7, 1000]) {
          const { items } = await pages(engine, 'pages', { prefix, delimiter, maxKeys });
          expect(items, `${prefix}|${delimiter}|${maxKeys}`).toEqual(model(KEYS, prefix, delimiter));
        }
      }
    }
  });

  it('does not repeat a common prefix when a page boundary falls inside its run of keys', async () => {
    const engine = await openEngine(kind);
    const keys = [
      'a',
      ...Array.from({ length: 150 }, (_, i) => `dir/${String(i).padStart(3, '0')}`),
      'e',
      'f/1',
      'f/2',
    ];
    await fill(engine, 'runs', keys);
    const first = await engine.buckets.listObjects('runs', { delimiter: '/', maxKeys: 2 });
    expect(first.contents.map((c) => c.key)).toEqual(['a']);
    expect(first.commonPrefixes).toEqual(['dir/']);
    const second = await engine.buckets.listObjects('runs', {
      delimiter: '/',
      maxKeys: 2,
      continuationToken: first.nextContinuationToken,
    });
    expect(second.contents.map((c) => c.key)).toEqual(['e']);
    expect(second.commonPrefixes).toEqual(['f/']);
    expect(second.isTruncated).toBe(false);
    const { items, pageSizes } = await pages(engine, 'runs', { delimiter: '/', maxKeys: 1 });
    expect(items).toEqual(['K:a', 'P:dir/', 'K:e', 'P:f/']);
    expect(pageSizes).toEqual([1, 1, 1, 1]);
  });

  it('starts strictly after startAfter, and ignores it once a continuation token is used', async () => {
    const engine = await openEngine(kind);
    await fill(engine, 'after', KEYS);
    const page = await engine.buckets.listObjects('after', { startAfter: 'b/2', maxKeys: 2 });
    expect(page.contents.map((c) => c.key)).toEqual(['b/3', 'b/4']);
    const next = await engine.buckets.listObjects('after', {
      startAfter: 'z',
      maxKeys: 2,
      continuationToken: page.nextContinuationToken,
    });
    expect(next.contents.map((c) => c.key)).toEqual(['c', 'c/']);
    const { items } = await pages(engine, 'after', { startAfter: 'a/3', delimiter: '/', maxKeys: 2 });
    expect(items).toEqual(model(KEYS, '', '/', 'a/3'));
  });

  it('returns at most 1000 keys per page however large maxKeys is, and nothing for maxKeys 0', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('many');
    await Promise.all(
      Array.from({ length: 1005 }, (_, i) =>
        engine.buckets.putObject('many', `k${String(i).padStart(4, '0')}`, ''),
      ),
    );
    const page = await engine.buckets.listObjects('many', { maxKeys: 5000 });
    expect(page.maxKeys).toBe(1000);
    expect(page.keyCount).toBe(1000);
    expect(page.isTruncated).toBe(true);
    const rest = await engine.buckets.listObjects('many', { continuationToken: page.nextContinuationToken });
    expect(rest.contents.map((c) => c.key)).toEqual(['k1000', 'k1001', 'k1002', 'k1003', 'k1004']);
    const none = await engine.buckets.listObjects('many', { maxKeys: 0 });
    expect(none).toMatchObject({ keyCount: 0, contents: [], isTruncated: false });
  });

  it('refuses a tampered or foreign continuation token with InvalidArgument', async () => {
    const engine = await openEngine(kind);
    await fill(engine, 'tokens', ['a', 'b', 'c']);
    const page = await engine.buckets.listObjects('tokens', { maxKeys: 1 });
    const token = page.nextContinuationToken ?? '';
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    await expectCode(
      engine.buckets.listObjects('tokens', { continuationToken: flipped }),
      'InvalidArgument',
      /continuation token/,
    );
    await expectCode(
      engine.buckets.listObjects('tokens', { continuationToken: 'garbage' }),
      'InvalidArgument',
    );
    await expectCode(
      engine.buckets.listObjects('tokens', { prefix: 'b', continuationToken: token }),
      'InvalidArgument',
      /continuation token/,
    );
  });
});
