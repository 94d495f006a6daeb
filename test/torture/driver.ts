/**
 * The crash torture's parent: runs test/fixtures/torture-child.ts under load, SIGKILLs it at a
 * seeded random point, again and again, then lets one last child drain the pipeline and dump
 * what the engine holds, and judges the whole run (checks.ts). Shared by the short form in
 * `npm test` (torture.test.ts) and the long one (`npm run torture -- --cycles N`, cli.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Journals, type Verdict, verdict } from './checks.js';
import { mulberry32 } from './random.js';
import type { Ack, Dump, SeenCheckpoint } from './types.js';

const CHILD = fileURLToPath(new URL('../fixtures/torture-child.ts', import.meta.url));
/** Every chaos fault the child knows. */
export const ALL_FAULTS = Object.freeze([
  'ok',
  'throw',
  'hang',
  'memory',
  'exit',
  'tmp',
  'print',
  'oversize',
]);
/** The faults that cost no waiting (no timeout to sit out, no heap to fill): the CI form's. */
export const QUICK_FAULTS = Object.freeze(['ok', 'throw', 'exit', 'tmp', 'print', 'oversize']);
/** The child's mappings' batch size (torture-child.ts). */
const BATCH = 10;
/** chaos faults whose invocation succeeds (a big log is not an error). */
const SUCCEEDING = new Set(['ok', 'print']);

export interface TortureOptions {
  readonly seed: number;
  readonly cycles: number;
  /** Working directory: the engine's data and the functions' journals. */
  readonly dir: string;
  /**
   * A cycle is killed after killAfterAtLeast (default 1) .. killAfterAtLeast + killWithin - 1
   * lines of progress (acks and checkpoints).
   */
  readonly killWithin: number;
  readonly killAfterAtLeast?: number;
  /** chaos faults mixed in (see torture-child.ts); hang and memory make a cycle slow. */
  readonly faults: readonly string[];
  /** Longest wait for a child's next line before it counts as hung, ms. */
  readonly stallMs: number;
  readonly log?: (line: string) => void;
}

export interface TortureResult extends Verdict {
  readonly seed: number;
  readonly cycles: number;
}

interface ChildRun {
  /** How it ended: 'killed' by us, 'done' (drain finished), or a description of the failure. */
  readonly ending: string;
}

function journalPath(dir: string, name: string): string {
  return join(dir, `${name}.log`);
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function runChild(
  options: TortureOptions,
  mode: 'load' | 'drain',
  cycle: number,
  killAfter: number | undefined,
  acks: Ack[],
  checkpoints: SeenCheckpoint[],
  outcomes: Map<string, number>,
): Promise<ChildRun> {
  const location = join(options.dir, 'db');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        location,
        options.dir,
        mode,
        String(options.seed),
        String(cycle),
        options.faults.join(','),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let progress = 0;
    let ready = false;
    let ending: string | undefined;
    let stderr = '';
    let stall: NodeJS.Timeout | undefined;
    const end = (why: string): void => {
      ending ??= why;
      child.kill('SIGKILL');
    };
    const arm = (): void => {
      clearTimeout(stall);
      stall = setTimeout(
        () => end(`hung: no progress for ${options.stallMs} ms in ${mode} cycle ${cycle}`),
        options.stallMs,
      );
    };
    arm();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      arm();
      const [what, a = '', b = '', c = ''] = line.split(' ');
      if (what === 'ready') ready = true;
      else if (what === 'done') ending ??= 'done';
      else if (what === 'ack' && a === 'chaos')
        acks.push({ kind: 'chaos', key: b, fail: !SUCCEEDING.has(c), fault: c });
      else if (what === 'ack') acks.push({ kind: a as Ack['kind'], key: b, fail: c === '1' });
      else if (what === 'outcome') outcomes.set(a, (outcomes.get(a) ?? 0) + 1);
      else if (what === 'ckpt') {
        const mapping = a as SeenCheckpoint['mapping'];
        checkpoints.push({
          mapping,
          shardId: b,
          seq: c,
          journalBytes: sizeOf(journalPath(options.dir, mapping)),
        });
      }
      if (ready && (what === 'ack' || what === 'ckpt') && ++progress === killAfter) end('killed');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(stall);
      resolve({ ending: ending ?? `exited by itself (code ${code}, signal ${signal}): ${stderr}` });
    });
  });
}

/** Runs the torture and judges it; `problems` is empty when every promise held. */
export async function runTorture(options: TortureOptions): Promise<TortureResult> {
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed);
  const acks: Ack[] = [];
  const checkpoints: SeenCheckpoint[] = [];
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  for (let cycle = 0; cycle < options.cycles && problems.length === 0; cycle++) {
    const killAfter = (options.killAfterAtLeast ?? 1) + Math.floor(random() * options.killWithin);
    const run = await runChild(options, 'load', cycle, killAfter, acks, checkpoints, outcomes);
    log(`cycle ${cycle}: killed after ${killAfter} lines (${acks.length} acks so far): ${run.ending}`);
    if (run.ending !== 'killed') problems.push(`load cycle ${cycle}: ${run.ending}`);
  }
  if (problems.length > 0) return { seed: options.seed, cycles: options.cycles, problems, counts: {} };
  const drain = await runChild(options, 'drain', options.cycles, undefined, acks, checkpoints, outcomes);
  log(`drain: ${drain.ending}`);
  if (drain.ending !== 'done') {
    return { seed: options.seed, cycles: options.cycles, problems: [`drain: ${drain.ending}`], counts: {} };
  }
  const read = (name: string): string =>
    existsSync(journalPath(options.dir, name)) ? readFileSync(journalPath(options.dir, name), 'utf8') : '';
  const journals: Journals = {
    ingest: read('ingest'),
    relay: read('relay'),
    audit: read('audit'),
    flaky: read('flaky'),
    doomed: read('doomed'),
    chaos: read('chaos'),
  };
  const dump = JSON.parse(readFileSync(join(options.dir, 'dump.json'), 'utf8')) as Dump;
  const judged = verdict(acks, checkpoints, journals, dump, BATCH);
  const counted = Object.fromEntries([...outcomes].map(([outcome, n]) => [`chaos outcome ${outcome}`, n]));
  return { seed: options.seed, cycles: options.cycles, ...judged, counts: { ...judged.counts, ...counted } };
}

/** The seed from TORTURE_SEED, else a fresh one. */
export function tortureSeed(): number {
  const given = process.env.TORTURE_SEED;
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

/** A failure message that says how to replay the run. */
export function describeFailure(result: TortureResult): string {
  return [
    `crash torture failed (seed ${result.seed}, ${result.cycles} cycles); replay with TORTURE_SEED=${result.seed}`,
    ...result.problems.map((p) => `  - ${p}`),
  ].join('\n');
}
