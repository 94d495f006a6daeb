/**
 * Checks and completes `runBench`'s options: every refusal is a LambdaliteError naming the
 * option and the value, before anything runs.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { LambdaliteError } from '../errors.js';
import { BENCH_SCENARIOS, type BenchOptions, type BenchScenario } from './types.js';

export interface ResolvedBench {
  scenario: BenchScenario;
  /** The code directory and handler (`file.export`) of a handler module; absent for `pipeline`. */
  code?: { directory: string; handler: string };
  /** The function's name (the pipeline's, or 'bench'). */
  functionName: string;
  pipeline?: string;
  records: number | undefined;
  durationMs: number | undefined;
  warmup: number;
  shards: number;
  batchSize: number;
  concurrency: number;
  memoryMb: number;
  timeoutSec: number;
  payload: Buffer;
  baseline: boolean;
}

export const BENCH_DEFAULTS = Object.freeze({
  records: 10_000,
  shards: 4,
  batchSize: 100,
  memoryMb: 128,
  timeoutSec: 30,
  payloadBytes: 1024,
});

/** Module extensions the runtime loads (src/runtime/worker-handler.ts). */
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const UNITS = new Map<string, number>([
  ['', 1],
  ['b', 1],
  ['k', 1024],
  ['kb', 1000],
  ['kib', 1024],
  ['m', 1024 ** 2],
  ['mb', 1000 ** 2],
  ['mib', 1024 ** 2],
]);

function invalid(message: string): never {
  throw new LambdaliteError('InvalidParameterValueException', message);
}

function positiveInt(name: string, value: number | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max)
    invalid(`options.${name} must be a whole number between 1 and ${max}, got ${value}`);
  return value;
}

/** `1KiB`, `512`, `4k`, `2MiB`, `1MB` -> bytes; undefined when `text` is not a size. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS.get((match[2] ?? '').toLowerCase());
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** A payload option: a size gives that many bytes of `x`; anything else is a file to read. */
export async function loadPayload(spec: string | undefined): Promise<Buffer> {
  if (spec === undefined) return Buffer.alloc(BENCH_DEFAULTS.payloadBytes, 'x');
  const size = existsSync(spec) ? undefined : parseSize(spec);
  if (size !== undefined) {
    if (size > 6 * 1024 ** 2) invalid(`options.payload must be at most 6 MiB (Lambda's limit), got ${spec}`);
    return Buffer.alloc(size, 'x');
  }
  try {
    return await readFile(spec);
  } catch (err) {
    throw new LambdaliteError(
      'InvalidParameterValueException',
      `options.payload must be a size (1KiB, 2MiB) or a readable file, got ${spec}`,
      { cause: err },
    );
  }
}

/**
 * `path/file.export` (the file without or with its extension), or a module file itself (export
 * `handler`) -> the code directory and the handler string functions.create takes.
 */
export function resolveHandler(spec: string): { directory: string; handler: string } {
  const full = resolve(spec);
  if (existsSync(full) && statSync(full).isFile()) {
    const ext = extname(full);
    if (!MODULE_EXTENSIONS.includes(ext))
      invalid(`options.function must be a .js, .mjs or .cjs module, got ${spec}`);
    return { directory: dirname(full), handler: `${basename(full, ext)}.handler` };
  }
  const dot = basename(full).lastIndexOf('.');
  if (dot <= 0) invalid(`options.function must be path/file.export or a module file, got ${spec}`);
  const exportName = basename(full).slice(dot + 1);
  let modulePath = full.slice(0, full.length - exportName.length - 1);
  const ext = extname(modulePath);
  if (MODULE_EXTENSIONS.includes(ext)) modulePath = modulePath.slice(0, -ext.length);
  if (!MODULE_EXTENSIONS.some((e) => existsSync(modulePath + e)))
    invalid(`options.function names no module: none of ${modulePath}{.js,.mjs,.cjs} exists (from ${spec})`);
  return { directory: dirname(modulePath), handler: `${basename(modulePath)}.${exportName}` };
}

export async function resolveBenchOptions(options: BenchOptions): Promise<ResolvedBench> {
  if (!BENCH_SCENARIOS.includes(options.scenario))
    invalid(`options.scenario must be one of ${BENCH_SCENARIOS.join(', ')}, got ${String(options.scenario)}`);
  if (typeof options.function !== 'string' || options.function === '')
    invalid(
      'options.function is required: a handler module (path/file.export) or a function of the pipeline',
    );
  if (options.scenario === 'pipeline' && options.pipeline === undefined)
    invalid('options.pipeline is required by the pipeline scenario: the pipeline file to apply');
  if (options.scenario !== 'pipeline' && options.pipeline !== undefined)
    invalid(`options.pipeline applies to the pipeline scenario only, got scenario ${options.scenario}`);
  if (options.records !== undefined && options.durationSec !== undefined)
    invalid('options.records and options.durationSec exclude each other: give one');
  const records = positiveInt('records', options.records, 100_000_000);
  const durationSec = positiveInt('durationSec', options.durationSec, 86_400);
  const concurrencyMax = options.scenario === 'pull' ? 10 : 1000;
  const resolved: ResolvedBench = {
    scenario: options.scenario,
    functionName: options.scenario === 'pipeline' ? options.function : 'bench',
    records: durationSec === undefined ? (records ?? BENCH_DEFAULTS.records) : undefined,
    durationMs: durationSec === undefined ? undefined : durationSec * 1000,
    warmup:
      options.warmup === 0
        ? 0
        : (positiveInt('warmup', options.warmup, 100_000_000) ??
          (durationSec === undefined
            ? Math.min(2000, Math.ceil((records ?? BENCH_DEFAULTS.records) / 10))
            : 500)),
    shards: positiveInt('shards', options.shards, 500) ?? BENCH_DEFAULTS.shards,
    batchSize: positiveInt('batchSize', options.batchSize, 10_000) ?? BENCH_DEFAULTS.batchSize,
    concurrency:
      positiveInt('concurrency', options.concurrency, concurrencyMax) ??
      (options.scenario === 'pull' ? 1 : 2),
    memoryMb: positiveInt('memoryMb', options.memoryMb, 10_240) ?? BENCH_DEFAULTS.memoryMb,
    timeoutSec: positiveInt('timeoutSec', options.timeoutSec, 900) ?? BENCH_DEFAULTS.timeoutSec,
    payload: await loadPayload(options.payload),
    baseline: options.baseline ?? true,
  };
  if (options.scenario === 'pipeline') resolved.pipeline = options.pipeline;
  else resolved.code = resolveHandler(options.function);
  return resolved;
}
