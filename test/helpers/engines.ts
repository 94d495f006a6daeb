/**
 * Test helpers shared by every suite: engines on memory and on disk, temporary directories, and
 * bounded waits for engine events (no sleeps).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, type Observable, take, timeout, toArray } from 'rxjs';
import { afterAll, afterEach } from 'vitest';
import type { EngineEventOf, EngineEventType } from '../../src/events.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';

export type StorageKind = 'memory' | 'disk';
export type BackendKind = StorageKind | 'jetstream';
export const STORAGE_KINDS: StorageKind[] = ['memory', 'disk'];
/**
 * Every backend: the contract suites that run on these run on a 3-node JetStream cluster too
 * (started once per test file on first use, stopped after the file; test/jetstream/cluster.ts).
 */
export const BACKEND_KINDS: BackendKind[] = ['memory', 'disk', 'jetstream'];

let cluster: Promise<{ servers: string[]; stop(): Promise<void> }> | undefined;
afterAll(async () => {
  const started = cluster;
  cluster = undefined;
  if (started) await (await started).stop();
});

/** Options that put an engine on the file's JetStream cluster (loaded only when asked for). */
export async function jetstreamOptions(): Promise<EngineOptions> {
  cluster ??= import('../jetstream/cluster.js').then((m) => m.startCluster());
  const [{ servers }, { jetstream }] = await Promise.all([
    cluster,
    import('../../src/backends/jetstream/index.js'),
  ]);
  // Engines on one cluster share the streams they create under one prefix: each test's engine
  // gets its own, as if it ran against its own cluster.
  return {
    backend: jetstream({
      servers,
      replicas: 3,
      prefix: `t${randomUUID().slice(0, 8)}`,
      // Tests move a ManualClock: a retry it made due is looked at again within 100 ms.
      asyncQueue: { retryCheckMs: 100 },
      // The test cluster is 2.9.10 with 3 replicas: its writers warning would print per file.
      warnings: false,
    }),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = 'lambdalite-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Opens an engine on the given storage kind, closed after the test. For 'disk' a temporary
 * directory is used unless `options.location` is given; 'jetstream' keeps metadata in memory and
 * shard records on the file's cluster.
 */
export async function openEngine(kind: BackendKind = 'memory', options: EngineOptions = {}): Promise<Engine> {
  const location = kind === 'disk' ? (options.location ?? (await tempDir())) : undefined;
  const backend = kind === 'jetstream' ? await jetstreamOptions() : {};
  const engine = await createEngine({ ...backend, ...options, location });
  cleanups.push(() => engine.close());
  return engine;
}

/** Registers extra clean-up work for the current test. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** The first value of `source` matching `predicate`, or a timeout error after `ms`. */
export function firstMatch<T>(
  source: Observable<T>,
  predicate: (value: T) => boolean,
  ms = 10_000,
): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate), take(1), timeout(ms)));
}

/** The first `count` values of `source` matching `predicate`, or a timeout error after `ms`. */
export function collect<T>(
  source: Observable<T>,
  count: number,
  predicate: (value: T) => boolean = () => true,
  ms = 10_000,
): Promise<T[]> {
  return firstValueFrom(source.pipe(filter(predicate), take(count), toArray(), timeout(ms)));
}

/** Resolves with the next engine event of `type` (and matching `predicate`), bounded by `ms`. */
export function nextEvent<K extends EngineEventType>(
  engine: Engine,
  type: K,
  predicate: (event: EngineEventOf<K>) => boolean = () => true,
  ms = 10_000,
): Promise<EngineEventOf<K>> {
  return firstMatch(
    engine.events$ as Observable<{ type: string }>,
    (e) => e.type === type && predicate(e as EngineEventOf<K>),
    ms,
  ) as Promise<EngineEventOf<K>>;
}
