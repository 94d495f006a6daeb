/**
 * End-to-end pull tests: an engine with a ManualClock, its real streams, tables and worker
 * functions, an event recorder, and a file each fixture function writes what it received to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Engine, ManualClock } from '../../src/index.js';
import { type BackendKind, openEngine, tempDir } from './engines.js';
import { createFixture } from './functions.js';
import { ensureStreamReaderRole } from './iam.js';
import { EventRecorder, T0 } from './pull-harness.js';

export interface E2E {
  engine: Engine;
  clock: ManualClock;
  events: EventRecorder;
  dir: string;
  /** The file fixture functions write to (env OUT). */
  out: string;
  location: string | undefined;
}

export async function e2e(
  kind: BackendKind = 'memory',
  reuse: { clock?: ManualClock; dir?: string; location?: string } = {},
): Promise<E2E> {
  const clock = reuse.clock ?? new ManualClock(T0);
  const dir = reuse.dir ?? (await tempDir());
  const location = kind === 'disk' ? (reuse.location ?? join(dir, 'db')) : undefined;
  const engine = await openEngine(kind, { clock, location });
  return {
    engine,
    clock,
    events: new EventRecorder(engine.events$),
    dir,
    out: join(dir, 'out.txt'),
    location,
  };
}

/**
 * Creates a fixture function from test/fixtures/functions/pull.mjs writing to `h.out`, running
 * as an execution role that may read streams (what a mapping without an invocation role needs).
 */
export async function pullFunction(
  h: E2E,
  name: string,
  handler: string,
  environment: Record<string, string> = {},
): Promise<unknown> {
  const role = await ensureStreamReaderRole(h.engine, 'stream-reader');
  return createFixture(h.engine, name, `pull.${handler}`, {
    role,
    environment: { OUT: h.out, ...environment },
  });
}

/** Lines the functions wrote so far. */
export function lines(h: E2E): string[] {
  if (!existsSync(h.out)) return [];
  return readFileSync(h.out, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** Resolves once the mapping checkpointed `sequenceNumber` on `shardId`. */
export function checkpointed(h: E2E, uuid: string, shardId: string, sequenceNumber: string, ms = 20_000) {
  return h.events.wait(
    'mapping.checkpoint',
    (e) => e.uuid === uuid && e.shardId === shardId && e.sequenceNumber === sequenceNumber,
    1,
    ms,
  );
}
