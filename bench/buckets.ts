/**
 * Buckets: putObject / getObject of 1 KiB and 1 MiB bodies against raw classic-level put / get
 * (and a two-operation batch, the shape of an object write) of the same bytes, in the same run.
 * Target (issue 2): small-object putObject >= 0.5x raw classic-level put rate.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { createEngine } from '../src/index.js';
import { type Benchmark, type Figure, middle, rate } from './harness.js';

/** Measured rounds; one more round first warms the JIT and is not counted. */
const RUNS = 7;
const DIR = join('bench', '.data', 'buckets');

interface Case {
  label: string;
  bytes: number;
  count: number;
}

const CASES: Case[] = [
  { label: '1 KiB', bytes: 1024, count: 1500 },
  { label: '1 MiB', bytes: 1024 * 1024, count: 24 },
];

export const bucketsBenchmark: Benchmark = {
  name: 'buckets',
  async run(): Promise<Figure[]> {
    await rm(DIR, { recursive: true, force: true });
    await mkdir(DIR, { recursive: true });
    const engine = await createEngine({ location: join(DIR, 'engine') });
    const raw = new ClassicLevel<string, Buffer>(join(DIR, 'raw'), {
      keyEncoding: 'utf8',
      valueEncoding: 'buffer',
    });
    await raw.open();
    await engine.buckets.create('bench');
    const figures: Figure[] = [];
    let round = 0;
    try {
      for (const c of CASES) {
        const body = randomBytes(c.bytes);
        const meta = Buffer.from(
          JSON.stringify({ id: 'x'.repeat(26), size: c.bytes, eTag: 'e'.repeat(32), lastModified: 0 }),
        );
        const keys = (r: number) =>
          Array.from({ length: c.count }, (_, i) => `r${r}/k${String(i).padStart(6, '0')}`);
        // Interleave the contenders run by run, so drift on a shared machine hits both alike.
        const samples = {
          putObserved: [] as number[],
          putObject: [] as number[],
          getObject: [] as number[],
          rawPut: [] as number[],
          rawBatch: [] as number[],
          rawGet: [] as number[],
        };
        for (let r = -1; r < RUNS; r++) {
          const objectKeys = keys(round++);
          samples.putObject.push(
            await rate(c.count, async () => {
              for (const k of objectKeys) await engine.buckets.putObject('bench', k, body);
            }),
          );
          // The same with an events$ subscriber: every put then builds its S3 event record.
          const observedKeys = keys(round++);
          const subscription = engine.buckets.events$.subscribe(() => undefined);
          samples.putObserved.push(
            await rate(c.count, async () => {
              for (const k of observedKeys) await engine.buckets.putObject('bench', k, body);
            }),
          );
          subscription.unsubscribe();
          const rawKeys = keys(round++);
          samples.rawPut.push(
            await rate(c.count, async () => {
              for (const k of rawKeys) await raw.put(k, body);
            }),
          );
          const batchKeys = keys(round++);
          samples.rawBatch.push(
            await rate(c.count, async () => {
              for (const k of batchKeys)
                await raw.batch([
                  { type: 'put', key: `m/${k}`, value: meta },
                  { type: 'put', key: `b/${k}`, value: body },
                ]);
            }),
          );
          samples.getObject.push(
            await rate(c.count, async () => {
              for (const k of objectKeys) await engine.buckets.getObject('bench', k);
            }),
          );
          samples.rawGet.push(
            await rate(c.count, async () => {
              for (const k of rawKeys) await raw.get(k);
            }),
          );
        }
        for (const list of Object.values(samples)) list.shift();
        const putObject = middle(samples.putObject);
        const getObject = middle(samples.getObject);
        const rawPut = middle(samples.rawPut);
        const rawBatch = middle(samples.rawBatch);
        const rawGet = middle(samples.rawGet);
        const base = { unit: 'ops/s', higherIsBetter: true };
        figures.push(
          {
            ...base,
            name: `putObject ${c.label}`,
            value: putObject,
            baselineName: `classic-level put ${c.label}`,
            baselineValue: rawPut,
            ...(c.bytes === 1024 ? { target: 0.5 } : {}),
          },
          {
            ...base,
            name: `putObject ${c.label}, events$ subscribed`,
            value: middle(samples.putObserved),
            baselineName: `classic-level put ${c.label}`,
            baselineValue: rawPut,
          },
          {
            ...base,
            name: `putObject ${c.label}`,
            value: putObject,
            baselineName: `classic-level batch (meta+body) ${c.label}`,
            baselineValue: rawBatch,
          },
          {
            ...base,
            name: `getObject ${c.label}`,
            value: getObject,
            baselineName: `classic-level get ${c.label}`,
            baselineValue: rawGet,
          },
        );
      }
    } finally {
      await engine.close();
      await raw.close();
      await rm(DIR, { recursive: true, force: true });
    }
    return figures;
  },
};
