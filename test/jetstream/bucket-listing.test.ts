/**
 * Bucket listing on the JetStream backend from each process's sorted index (bucket-index.ts):
 * objects written and deleted on one engine are listed page by page on another exactly as the
 * embedded engine lists the same operations; a put acknowledged on one engine is listed at once
 * on the other, and a delete is gone; a listing of thousands of objects reads each description
 * once, then one request per page. Engines run in the test process, each with its own in-memory
 * LevelDB, so what one lists of the other's objects came through the cluster.
 */
import { randomUUID } from 'node:crypto';
import { jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  BucketIndexes,
  CATCH_UP_GETS,
  codePointCompare,
  type DescriptionReader,
  type StoredDescription,
} from '../../src/backends/jetstream/bucket-index.js';
import { JetStreamBucketStore } from '../../src/backends/jetstream/bucket-store.js';
import { JetStreamDescriptions } from '../../src/backends/jetstream/description-reader.js';
import { storeName } from '../../src/backends/jetstream/object-descriptions.js';
import type { BucketStoreGround } from '../../src/buckets/bucket-store.js';
import { listObjects, utf8Compare } from '../../src/buckets/listing.js';
import { createEngine, type Engine, type ListObjectsOptions } from '../../src/index.js';
import { expectCode } from '../helpers/errors.js';
import { fileCluster, openSharedEngine } from './shared-engines.js';

vi.setConfig({ testTimeout: 180_000 });
const { cluster, opened } = fileCluster();
let nc: NatsConnection | undefined;

afterAll(async () => {
  await nc?.close();
});

async function pair(): Promise<{ prefix: string; a: Engine; b: Engine }> {
  const prefix = `l${randomUUID().slice(0, 8)}`;
  const a = (await openSharedEngine({ servers: cluster().servers, prefix })).engine;
  opened.push(a);
  const b = (await openSharedEngine({ servers: cluster().servers, prefix })).engine;
  opened.push(b);
  return { prefix, a, b };
}

async function embedded(): Promise<Engine> {
  const engine = await createEngine();
  opened.push(engine);
  return engine;
}

/** Every page of a listing: keys, common prefixes and each page's shape. */
async function allPages(engine: Engine, bucket: string, options: ListObjectsOptions): Promise<unknown[]> {
  const out: unknown[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await engine.buckets.listObjects(bucket, {
      ...options,
      ...(token === undefined ? {} : { continuationToken: token }),
    });
    out.push({
      keys: page.contents.map((c) => [c.key, c.size, c.eTag]),
      prefixes: page.commonPrefixes,
      keyCount: page.keyCount,
      truncated: page.isTruncated,
      token: page.nextContinuationToken,
    });
    if (!page.isTruncated) return out;
    token = page.nextContinuationToken;
  }
  throw new Error('the listing never ended');
}

/** Runs the same operations on every engine given. */
async function both(engines: Engine[], op: (e: Engine) => Promise<unknown>): Promise<void> {
  for (const engine of engines) await op(engine);
}

const KEYS = [
  'a',
  'a/1',
  'a/2',
  'a/b/c',
  'ab',
  'b/x',
  'b/y/z',
  'c',
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
  '\u{1F600}/x',
  '\uFFFD',
  '\uE000',
  ...Array.from({ length: 40 }, (_, i) => `dir/${String(i).padStart(3, '0')}`),
];

const LISTINGS: ListObjectsOptions[] = [];
for (const prefix of [undefined, 'a', 'a/', 'photos/', 'dir/', 'é', 'none']) {
  for (const delimiter of [undefined, '/', '2']) {
    for (const maxKeys of [1, 3, 7, 1000]) LISTINGS.push({ prefix, delimiter, maxKeys });
  }
}
LISTINGS.push({ startAfter: 'b', maxKeys: 5 }, { startAfter: 'dir/010', delimiter: '/', maxKeys: 2 });

describe('bucket listing on the JetStream backend', () => {
  it('compares keys as UTF-8 bytes without encoding them', () => {
    const alphabet = [
      'a',
      'z',
      '/',
      '\u00e9',
      '\u7f8e',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '\u{10000}',
      '\u{1F600}',
    ];
    let state = 7;
    const pick = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return alphabet[state % alphabet.length] as string;
    };
    for (let i = 0; i < 5_000; i++) {
      const a = Array.from({ length: 1 + (i % 4) }, pick).join('');
      const b = Array.from({ length: 1 + ((i >> 2) % 4) }, pick).join('');
      expect(Math.sign(codePointCompare(a, b)), `${a} ${b}`).toBe(Math.sign(utf8Compare(a, b)));
    }
  });

  it('lists page by page on one engine what another wrote and deleted, exactly as embedded', async () => {
    const { a, b } = await pair();
    const model = await embedded();
    await both([a, model], (e) => e.buckets.create('shared'));
    await both([a, model], async (e) => {
      for (const key of KEYS) await e.buckets.putObject('shared', key, `body of ${key}`);
    });
    for (const options of LISTINGS) {
      expect(await allPages(b, 'shared', options), JSON.stringify(options)).toEqual(
        await allPages(model, 'shared', options),
      );
    }
    // Changes after B's index was loaded: deletes, overwrites with other sizes, new keys.
    await both([a, model], async (e) => {
      for (const key of KEYS.filter((_, i) => i % 3 === 0)) await e.buckets.deleteObject('shared', key);
      for (const key of KEYS.filter((_, i) => i % 5 === 1))
        await e.buckets.putObject('shared', key, 'longer body');
      for (const key of ['a/0', 'dir/0405', 'photos/2026/1.jpg', '\u{1F601}']) {
        await e.buckets.putObject('shared', key, key);
      }
    });
    for (const options of LISTINGS) {
      expect(await allPages(b, 'shared', options), JSON.stringify(options)).toEqual(
        await allPages(model, 'shared', options),
      );
    }
  });

  it('lists a put acknowledged on another engine at once, and a deleted key no more', async () => {
    const { a, b } = await pair();
    await a.buckets.create('live');
    await a.buckets.putObject('live', 'first', '1');
    // B's index is loaded now; every later call must catch up with A's writes first.
    expect((await b.buckets.listObjects('live')).contents.map((c) => c.key)).toEqual(['first']);
    for (let i = 0; i < 20; i++) {
      const key = `k${String(i).padStart(2, '0')}`;
      await a.buckets.putObject('live', key, key);
      const listed = await b.buckets.listObjects('live', { startAfter: key.slice(0, -1) });
      expect(listed.contents.map((c) => c.key)).toContain(key);
      await a.buckets.deleteObject('live', key);
      const after = await b.buckets.listObjects('live');
      expect(after.contents.map((c) => c.key)).not.toContain(key);
    }
    // DeleteBucket's emptiness check on B sees A's objects, and their deletion.
    await expectCode(b.buckets.delete('live'), 'BucketNotEmpty');
    await a.buckets.deleteObject('live', 'first');
    await b.buckets.delete('live');
    await expectCode(a.buckets.listObjects('live'), 'NoSuchBucket');
  });

  it('lists thousands of objects with maxKeys 100 reading each description once', async () => {
    const { prefix, a, b } = await pair();
    const count = 3_000;
    await a.buckets.create('many');
    const keys = Array.from(
      { length: count },
      (_, i) => `obj/${String((i * 7919) % count).padStart(5, '0')}`,
    );
    for (let start = 0; start < count; start += 50) {
      await Promise.all(keys.slice(start, start + 50).map((key) => a.buckets.putObject('many', key, '')));
    }
    nc ??= await connect({ servers: cluster().servers });
    const reads = { descriptions: 0, requests: 0 };
    const real = new JetStreamDescriptions({
      js: jetstreamClient(nc),
      jsm: await jetstreamManager(nc),
      store: (name) => storeName(prefix, name),
      ensure: async () => {},
    });
    const counted: DescriptionReader = {
      lastPerKey: (bucket, each) => {
        reads.requests++;
        return real.lastPerKey(bucket, (d) => {
          reads.descriptions++;
          each(d);
        });
      },
      next: async (bucket, after) => {
        reads.requests++;
        const found = await real.next(bucket, after);
        if (found) reads.descriptions++;
        return found;
      },
      since: (bucket, after, each) => {
        reads.requests++;
        return real.since(bucket, after, (d) => {
          reads.descriptions++;
          each(d);
        });
      },
    };
    const indexes = new BucketIndexes(counted);
    const listed: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await listObjects(indexes.list, 'many', {
        maxKeys: 100,
        ...(token === undefined ? {} : { continuationToken: token }),
      });
      listed.push(...page.contents.map((c) => c.key));
      token = page.nextContinuationToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(30);
    expect(listed).toEqual([...keys].sort());
    // The first page loads every key once; each later page asks once whether anything changed
    // (a read of every key per page would be 30 x 3,000 descriptions).
    expect(reads.descriptions).toBe(count);
    expect(reads.requests).toBe(pages);
    // The engines list the same (B through its own index).
    const fromB = await b.buckets.listObjects('many', { prefix: 'obj/0299', maxKeys: 1000 });
    expect(fromB.contents.map((c) => c.key)).toEqual(listed.filter((k) => k.startsWith('obj/0299')));
    // The store itself on a connection of its own: the messages it receives for a listing page
    // by page are about the bucket's keys once (the full read per page received 30 x 3,000).
    const own = await connect({ servers: cluster().servers });
    try {
      const store = new JetStreamBucketStore(
        own,
        jetstreamClient(own),
        await jetstreamManager(own),
        // Never read: without a sink the store runs no change consumer.
        {} as BucketStoreGround,
        undefined,
        { prefix, replicas: 1, ackWaitMs: 30_000, consume: false, orphanChunkMs: 3_600_000 },
      );
      await store.open();
      const received = own.stats().inMsgs;
      let storePages = 0;
      let next: string | undefined;
      do {
        const page = await listObjects(store.list, 'many', {
          maxKeys: 100,
          ...(next === undefined ? {} : { continuationToken: next }),
        });
        next = page.nextContinuationToken;
        storePages++;
      } while (next !== undefined);
      expect(storePages).toBe(30);
      expect(own.stats().inMsgs - received).toBeLessThan(count + 200);
      await store.close();
    } finally {
      await own.close();
    }
    // A change since: one request finds it, one more finds nothing after it.
    await a.buckets.deleteObject('many', 'obj/00000');
    const before = { ...reads };
    const first = await listObjects(indexes.list, 'many', { maxKeys: 1 });
    expect(first.contents.map((c) => c.key)).toEqual(['obj/00001']);
    expect(reads.descriptions - before.descriptions).toBe(1);
    expect(reads.requests - before.requests).toBe(2);
  });
});

/** A stream of descriptions in memory, for the catch-up's choice between gets and a consumer. */
class MemoryDescriptions implements DescriptionReader {
  readonly messages: StoredDescription[] = [];
  readonly calls: string[] = [];
  #seq = 0;

  put(key: string, deleted = false): void {
    const facts = { eTag: 'e'.repeat(32), lastModified: 0 };
    const description = { name: key, size: 1, deleted, metadata: { lambdalite: JSON.stringify(facts) } };
    this.#seq += 2; // a chunk between descriptions
    this.messages.push({ seq: this.#seq, data: Buffer.from(JSON.stringify(description)) });
  }

  async lastPerKey(_bucket: string, each: (d: StoredDescription) => void): Promise<void> {
    this.calls.push('lastPerKey');
    const last = new Map<string, StoredDescription>();
    for (const m of this.messages) last.set(JSON.parse(Buffer.from(m.data).toString()).name, m);
    for (const m of [...last.values()].sort((x, y) => x.seq - y.seq)) each(m);
  }

  /** While set, `next` answers (from the messages as they were when asked) once it resolves. */
  hold: Promise<void> | undefined;
  /** Called when `next` is asked. */
  onNext: (() => void) | undefined;

  async next(_bucket: string, after: number): Promise<StoredDescription | undefined> {
    this.calls.push('next');
    const found = this.messages.find((m) => m.seq > after);
    this.onNext?.();
    await this.hold;
    return found;
  }

  async since(_bucket: string, after: number, each: (d: StoredDescription) => void): Promise<void> {
    this.calls.push('since');
    for (const m of this.messages) if (m.seq > after) each(m);
  }
}

describe('the bucket index', () => {
  async function keysOf(indexes: BucketIndexes): Promise<string[]> {
    const cursor = await indexes.list('b', {});
    const out: string[] = [];
    for (let page = await cursor.nextv(7); page.length > 0; page = await cursor.nextv(7)) {
      out.push(...page.map((o) => o.key));
    }
    return out;
  }

  it('catches up by single reads, and through a consumer past a few changes', async () => {
    const source = new MemoryDescriptions();
    const indexes = new BucketIndexes(source);
    source.put('b');
    source.put('a');
    expect(await keysOf(indexes)).toEqual(['a', 'b']);
    expect(source.calls.splice(0)).toEqual(['lastPerKey']);
    source.put('c');
    source.put('a', true);
    expect(await keysOf(indexes)).toEqual(['b', 'c']);
    expect(source.calls.splice(0)).toEqual(['next', 'next', 'next']);
    for (let i = 0; i < 100; i++) source.put(`k${String(i).padStart(3, '0')}`);
    source.put('b', true);
    const keys = await keysOf(indexes);
    expect(keys).toEqual(['c', ...Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`)]);
    expect(source.calls.splice(0)).toEqual([...Array(CATCH_UP_GETS).fill('next'), 'since']);
    expect(await indexes.hasObjects('b')).toBe(true);
  });

  it('keeps a cursor on its key while another listing catches up under it', async () => {
    const source = new MemoryDescriptions();
    const indexes = new BucketIndexes(source);
    for (const key of ['a', 'c', 'e', 'g']) source.put(key);
    const cursor = await indexes.list('b', { gte: 'b' });
    expect((await cursor.nextv(1)).map((o) => o.key)).toEqual(['c']);
    source.put('b');
    source.put('d');
    source.put('e', true);
    await indexes.current('b');
    expect((await cursor.nextv(10)).map((o) => o.key)).toEqual(['d', 'g']);
  });

  it('shares one catch-up between the calls made while another runs, started after them', async () => {
    const source = new MemoryDescriptions();
    const indexes = new BucketIndexes(source);
    source.put('a');
    await indexes.current('b');
    source.calls.splice(0);
    let release = () => {};
    source.hold = new Promise((resolve) => {
      release = resolve;
    });
    const asked = new Promise<void>((resolve) => {
      source.onNext = resolve;
    });
    const first = indexes.current('b');
    await asked;
    // Written after the running catch-up asked: the calls made now must still see it.
    source.put('z');
    const second = indexes.current('b');
    const third = indexes.current('b');
    expect(third).toBe(second);
    source.onNext = undefined;
    release();
    await first;
    const index = await second;
    await third;
    // The first call's request (which found nothing yet), then the shared catch-up's two.
    expect(source.calls).toEqual(['next', 'next', 'next']);
    expect(index.size).toBe(2);
    expect(await keysOf(indexes)).toEqual(['a', 'z']);
  });
});
