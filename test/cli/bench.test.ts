import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults, parseSavedResult } from '../../src/bench/compare.js';
import type { BenchResult } from '../../src/bench/types.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(root, 'src/cli/main.ts');
const TSX = join(root, 'node_modules/.bin/tsx');

let dir: string;
let handler: string;

/** The real command in a child process whose stdout is a pipe, not a TTY. */
async function bench(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(TSX, [MAIN, 'bench', ...args], { cwd: root, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-test-'));
  await writeFile(
    join(dir, 'index.mjs'),
    'export const handler = async (event) => ({ size: JSON.stringify(event).length });\n',
  );
  handler = join(dir, 'index.handler');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lambdalite bench', () => {
  let saved: BenchResult;

  it('prints a JSON result with the run and its raw baseline', async () => {
    const out = await bench(
      '--scenario',
      'invoke',
      '--function',
      handler,
      '--records',
      '40',
      '--payload',
      '256',
      '--json',
    );
    expect(out.code).toBe(0);
    saved = JSON.parse(out.stdout) as BenchResult;
    expect(saved.format).toBe('lambdalite-bench/1');
    expect(saved.scenario).toBe('invoke');
    expect(saved.settings).toMatchObject({ records: 40, payloadBytes: 256, concurrency: 2, warmup: 4 });
    expect(saved.run.records).toBe(40);
    // From the engine's own metrics over the measured run: the warm-up's 4 are not in them.
    expect(saved.run.errors).toBe(0);
    expect(saved.run.invocations).toBe(40);
    expect(saved.run.throttles).toBe(0);
    expect(saved.run.functionDurationMs?.max).toBeGreaterThan(0);
    expect(saved.run.coldStarts).toBeGreaterThanOrEqual(1);
    expect(saved.run.throughput).toBeGreaterThan(0);
    const { p50, p90, p99, max } = saved.run.latencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50 <= p90 && p90 <= p99 && p99 <= max).toBe(true);
    expect(saved.run.peakRssMb).toBeGreaterThan(saved.run.peakHeapMb);
    expect(saved.baseline?.records).toBe(40);
    expect(saved.baseline?.name).toMatch(/raw worker round trips/);
    await writeFile(join(dir, 'saved.json'), out.stdout);
  });

  it('prints the results table and no progress bar when stdout is not a terminal', async () => {
    const out = await bench('--scenario', 'pull', '--function', handler, '--records', '60', '--shards', '2');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/lambdalite pull: putRecords bench -> mapping -> bench/);
    expect(out.stdout).toMatch(/│ throughput +│/);
    expect(out.stdout).toMatch(/│ iterator age max \/ p99 +│ \d/);
    expect(out.stdout).toMatch(/│ function duration p50 \/ p99 │ \d/);
    expect(out.stdout).toMatch(/raw LevelDB batch writes/);
    // cli-progress draws with these characters and moves the cursor with escape codes.
    expect(out.stdout).not.toMatch(/[\u2588\u2591]/);
    expect(out.stdout.includes('\u001b[')).toBe(false);
    // Printed when the bar hands over to the baseline: only ever with a bar.
    expect(out.stdout).not.toMatch(/running the raw baseline/);
  });

  it('flags a planted regression against a saved run and exits with 1', async () => {
    // The saved run claims ten times the throughput and a tenth of the latency of any real run.
    const planted: BenchResult = JSON.parse(await readFile(join(dir, 'saved.json'), 'utf8'));
    planted.run.throughput *= 10;
    planted.run.latencyMs.p50 /= 10;
    await writeFile(join(dir, 'planted.json'), JSON.stringify(planted));
    const out = await bench(
      '--scenario',
      'invoke',
      '--function',
      handler,
      '--records',
      '40',
      '--compare',
      join(dir, 'planted.json'),
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/throughput \(records\/s\).*REGRESSION/);
    expect(out.stdout).toMatch(/regression: worse by more than 10%/);
  });

  it('refuses a --compare file that is not a saved result before running anything', async () => {
    await writeFile(join(dir, 'other.json'), '{"hello":1}');
    const out = await bench(
      '--scenario',
      'invoke',
      '--function',
      handler,
      '--compare',
      join(dir, 'other.json'),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/is not a saved lambdalite bench result/);
  });

  it('names the option and the value it refuses', async () => {
    const out = await bench('--scenario', 'invoke', '--function', join(dir, 'missing.handler'));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/options.function names no module/);
  });
});

describe('compareResults', () => {
  const result = (throughput: number, p99: number): BenchResult => ({
    format: 'lambdalite-bench/1',
    scenario: 'push',
    startedAt: '',
    machine: { cpus: 1, cpuModel: '', memoryGiB: 1, node: '', platform: '' },
    settings: {},
    run: {
      name: 'run',
      records: 1,
      durationMs: 1,
      throughput,
      latencyMs: { p50: 1, p90: 1, p99, max: p99 },
      coldStarts: 0,
      errors: 0,
      retries: 0,
      peakHeapMb: 1,
      peakRssMb: 1,
    },
  });

  it('flags only changes worse than the threshold', () => {
    const saved = result(1000, 10);
    expect(compareResults(result(950, 10.5), saved, 10).regressed).toBe(false);
    const slower = compareResults(result(800, 10), saved, 10);
    expect(slower.regressed).toBe(true);
    expect(slower.figures.find((f) => f.figure === 'throughput (records/s)')?.betterPct).toBeCloseTo(-20);
    expect(compareResults(result(1000, 12), saved, 10).regressed).toBe(true);
    expect(compareResults(result(1500, 5), saved, 10).regressed).toBe(false);
  });

  it('refuses JSON of another format', () => {
    expect(() => parseSavedResult('{"format":"x"}', 'f.json')).toThrow(/got format x/);
  });
});
