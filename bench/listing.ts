/**
 * Bucket listing on the JetStream backend: a bucket of LISTING_OBJECTS (default 5,000) objects
 * written by one engine, listed fully with maxKeys 1000 (every page, by continuation token) by
 * other engines on the same 3-node cluster (3 replicas):
 * - cold: an engine just opened (its first listing of the bucket);
 * - warm: an engine that listed the bucket before (nothing changed since);
 * - after writes: the warm engine again, after the writer overwrote 50 objects.
 * Baseline: the same listing embedded (LevelDB, one process, the same keys), in the same run.
 * The three cases and the baseline are interleaved repetition by repetition.
 */
import { randomUUID } from 'node:crypto';
import { jetstream } from '../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../src/index.js';
import { startCluster } from '../test/jetstream/cluster.js';
import { type Benchmark, type Figure, interleaved } from './harness.js';

const OBJECTS = Number(process.env.LISTING_OBJECTS ?? 5_000);
const RUNS = Number(process.env.LISTING_RUNS ?? 5);
const BUCKET = 'listing';

/** Lists every page; resolves with the milliseconds it took. */
async function fullListing(engine: Engine): Promise<number> {
  const start = process.hrtime.bigint();
  let token: string | undefined;
  let listed = 0;
  do {
    const page = await engine.buckets.listObjects(BUCKET, {
      maxKeys: 1000,
      ...(token === undefined ? {} : { continuationToken: token }),
    });
    listed += page.keyCount;
    token = page.nextContinuationToken;
  } while (token !== undefined);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (listed !== OBJECTS) throw new Error(`listed ${listed} of ${OBJECTS} objects`);
  return ms;
}

async function fill(engine: Engine, keys: string[]): Promise<void> {
  await engine.buckets.create(BUCKET);
  for (let start = 0; start < keys.length; start += 64) {
    await Promise.all(keys.slice(start, start + 64).map((key) => engine.buckets.putObject(BUCKET, key, key)));
  }
}

export const listingBenchmark: Benchmark = {
  name: 'listing',
  async run(): Promise<Figure[]> {
    const cluster = await startCluster();
    const opened: Engine[] = [];
    try {
      const backend = (prefix: string) => jetstream({ servers: cluster.servers, prefix, replicas: 3 });
      const prefix = `bench${randomUUID().slice(0, 8)}`;
      const keys = Array.from(
        { length: OBJECTS },
        (_, i) => `photos/${String(i % 97)}/${String(i).padStart(6, '0')}.jpg`,
      );
      const writer = await createEngine({ backend: backend(prefix) });
      opened.push(writer);
      const warm = await createEngine({ backend: backend(prefix) });
      opened.push(warm);
      const embedded = await createEngine();
      opened.push(embedded);
      await fill(writer, keys);
      await fill(embedded, keys);
      let round = 0;
      const results = await interleaved(RUNS, {
        cold: async () => {
          const engine = await createEngine({ backend: backend(prefix) });
          try {
            return await fullListing(engine);
          } finally {
            await engine.close();
          }
        },
        warm: () => fullListing(warm),
        afterWrites: async () => {
          round++;
          await Promise.all(
            keys.slice(0, 50).map((key) => writer.buckets.putObject(BUCKET, key, `${key} ${round}`)),
          );
          return fullListing(warm);
        },
        embedded: () => fullListing(embedded),
      });
      console.log(JSON.stringify({ objects: OBJECTS, results }));
      const figure = (name: string, value: number): Figure => ({
        name: `listObjects on JetStream (3 nodes, 3 replicas), ${OBJECTS.toLocaleString('en-US')} objects, maxKeys 1000, every page: ${name}`,
        value,
        unit: 'ms',
        baselineName: 'the same listing embedded (LevelDB)',
        baselineValue: results.embedded.median,
        higherIsBetter: false,
      });
      return [
        figure("an engine's first listing of the bucket", results.cold.median),
        figure('an engine that listed it before, nothing changed', results.warm.median),
        figure('the same engine after another overwrote 50 objects', results.afterWrites.median),
      ];
    } finally {
      await Promise.all(opened.map((e) => e.close().catch(() => undefined)));
      await cluster.stop();
    }
  },
};
