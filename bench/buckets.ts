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
import { type Benchmark, type Figure, median, rate } from './harness.js';

const RUNS = 5;
const DIR = join('bench', '.data', 'buckets');

interface Case {
  label: string;
  bytes: number;
  count: number;
}

const CASES: Case[] = [
  { label: '1 KiB', bytes: 1024, count: 2000 },
  { label: '1 MiB', bytes: 1024 * 1024, count: 40 },
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
        const putObject = await median(RUNS, async () => {
          const ks = keys(round++);
          return rate(c.count, async () => {
            for (const k of ks) await engine.buckets.putObject('bench', k, body);
          });
        });
        const lastPut = keys(round - 1);
        const getObject = await median(RUNS, () =>
          rate(c.count, async () => {
            for (const k of lastPut) await engine.buckets.getObject('bench', k);
          }),
        );
        const rawPut = await median(RUNS, async () => {
          const ks = keys(round++);
          return rate(c.count, async () => {
            for (const k of ks) await raw.put(k, body);
          });
        });
        const rawKeys = keys(round - 1);
        const rawBatch = await median(RUNS, async () => {
          const ks = keys(round++);
          return rate(c.count, async () => {
            for (const k of ks)
              await raw.batch([
                { type: 'put', key: `m/${k}`, value: meta },
                { type: 'put', key: `b/${k}`, value: body },
              ]);
          });
        });
        const rawGet = await median(RUNS, () =>
          rate(c.count, async () => {
            for (const k of rawKeys) await raw.get(k);
          }),
        );
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
