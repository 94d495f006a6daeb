/**
 * The long crash torture: `npm run torture -- --cycles 200 [--seed N] [--kill-within 400]
 * [--faults throw,hang,...] [--keep]` (every chaos fault by default).
 * Prints each cycle, then the counts, or the broken promises with the seed to replay
 * (`TORTURE_SEED=N npm run torture -- --cycles 200`). Exits non-zero on failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_FAULTS, describeFailure, runTorture, tortureSeed } from './driver.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '50' },
    seed: { type: 'string' },
    'kill-within': { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    faults: { type: 'string', default: ALL_FAULTS.join(',') },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : tortureSeed();
const dir = await mkdtemp(join(tmpdir(), 'lambdalite-torture-'));
const started = Date.now();
console.log(`torture: seed ${seed}, ${values.cycles} cycles, in ${dir}`);
const result = await runTorture({
  seed,
  cycles: Number(values.cycles),
  dir,
  killWithin: Number(values['kill-within']),
  stallMs: 120_000,
  faults: values.faults === '' ? [] : values.faults.split(','),
  log: (line) => console.log(line),
});
const seconds = Math.round((Date.now() - started) / 1000);
if (result.problems.length > 0) {
  console.error(describeFailure(result));
  console.error(`data kept in ${dir}`);
  process.exit(1);
}
console.log(`torture passed in ${seconds} s:`, result.counts);
if (!values.keep) await rm(dir, { recursive: true, force: true });
