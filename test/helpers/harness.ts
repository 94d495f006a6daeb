/**
 * The one door from the tests to the engine's machinery (everything else goes through the
 * public API). The engine registers its parts in src/internal.ts, a file the package does not
 * export; this harness reads them there and builds engines with test doubles put in place at
 * construction (`EngineSeams`): nothing is attached to a running engine.
 *
 * - `openEngineWith(kind, options, seams)`: an engine (closed after the test) whose runtime,
 *   shard sources, destinations... are doubles.
 * - `internals(engine)`: the authorizer, runtime, push queue, registry, shard log of an engine.
 * - `queueOf(engine)`: the push queue, to enqueue without a function (the facades refuse that).
 */
import { buildEngine } from '../../src/engine.js';
import type { Engine, EngineOptions } from '../../src/index.js';
import { type EngineInternals, type EngineSeams, internalsOf } from '../../src/internal.js';
import { type BackendKind, jetstreamOptions, onCleanup, tempDir } from './engines.js';

export type { EngineSeams };

/** Like openEngine, with doubles for some parts. */
export async function openEngineWith(
  kind: BackendKind,
  options: EngineOptions,
  seams: EngineSeams,
): Promise<Engine> {
  const location = kind === 'disk' ? (options.location ?? (await tempDir())) : undefined;
  const backend = kind === 'jetstream' ? await jetstreamOptions() : {};
  const engine = await buildEngine({ ...backend, ...options, location }, seams);
  onCleanup(() => engine.close());
  return engine;
}

/** The parts behind an engine's facades. */
export function internals(engine: Engine): EngineInternals {
  return internalsOf(engine);
}

/** The engine's push queue (AsyncQueue): enqueue, idle, pendingCount, dead letters. */
export function queueOf(engine: Engine): EngineInternals['queue'] {
  return internalsOf(engine).queue;
}
