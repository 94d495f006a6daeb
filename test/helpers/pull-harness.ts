/**
 * An engine with a ManualClock whose mappings are wired to test doubles: a fake shard log, a
 * scripted invoker, a function directory and recording destinations. Events are recorded from
 * the start so a test can wait for one that already happened.
 */
import { filter, firstValueFrom, type Observable, ReplaySubject, take, timeout } from 'rxjs';
import type { EngineEventOf, EngineEventType } from '../../src/events.js';
import { type Engine, type EngineOptions, ManualClock } from '../../src/index.js';
import type { BackendKind } from './engines.js';
import { FakeShardLog, type FakeShardLogOptions } from './fake-shard-source.js';
import { type EngineSeams, internals, openEngineWith } from './harness.js';
import { ensureStreamReaderRole } from './iam.js';
import { FakeFunctions, FakeSources, RecordingDestinations, ScriptedInvoker } from './scripted-invoker.js';

export const T0 = Date.UTC(2026, 0, 1);

export interface PullHarness {
  engine: Engine;
  clock: ManualClock;
  log: FakeShardLog;
  sources: FakeSources;
  invoker: ScriptedInvoker;
  functions: FakeFunctions;
  destinations: RecordingDestinations;
  events: EventRecorder;
}

export async function pullHarness(
  kind: BackendKind = 'memory',
  options: {
    log?: FakeShardLogOptions;
    engine?: EngineOptions;
    reuse?: Partial<PullHarness>;
    /** Further seams of the engine (e.g. `storageFaults`). */
    seams?: Partial<EngineSeams>;
  } = {},
): Promise<PullHarness> {
  const clock = options.reuse?.clock ?? new ManualClock(T0);
  const log = options.reuse?.log ?? new FakeShardLog(clock, options.log);
  const sources = new FakeSources(log);
  const invoker = options.reuse?.invoker ?? new ScriptedInvoker();
  const functions = options.reuse?.functions ?? new FakeFunctions();
  if (!functions.functions.has('fn')) functions.add('fn');
  const destinations = options.reuse?.destinations ?? new RecordingDestinations();
  const engine = await openEngineWith(
    kind,
    { clock, ...options.engine },
    {
      shardSources: sources,
      mappingFunctions: functions,
      invoker,
      failureDestinations: destinations,
      deferStart: true,
      ...options.seams,
    },
  );
  const events = new EventRecorder(engine.events$);
  // The functions' execution roles may read streams (mappings are checked against them).
  await ensureStreamReaderRole(engine, 'fn-role');
  await ensureStreamReaderRole(engine, 'other-role');
  await internals(engine).start();
  return { engine, clock, log, sources, invoker, functions, destinations, events };
}

type AnyEvent = { type: string; time: number };

/** Remembers every engine event and resolves waits against past and future ones, with a bound. */
export class EventRecorder {
  readonly #all = new ReplaySubject<AnyEvent>();
  readonly seen: AnyEvent[] = [];

  constructor(events$: Observable<AnyEvent>) {
    events$.subscribe((e) => {
      this.seen.push(e);
      this.#all.next(e);
    });
  }

  /** The `n`th (1-based) event of `type` matching `predicate`, past or future; rejects after `ms`. */
  wait<K extends EngineEventType>(
    type: K,
    predicate: (e: EngineEventOf<K>) => boolean = () => true,
    n = 1,
    ms = 15_000,
  ): Promise<EngineEventOf<K>> {
    let count = 0;
    return firstValueFrom(
      this.#all.pipe(
        filter((e) => e.type === type && predicate(e as EngineEventOf<K>) && ++count === n),
        take(1),
        timeout({
          first: ms,
          with: () => {
            throw new Error(`timed out waiting for ${n} x ${type}`);
          },
        }),
      ),
    ) as Promise<EngineEventOf<K>>;
  }

  of<K extends EngineEventType>(type: K): Array<EngineEventOf<K>> {
    return this.seen.filter((e) => e.type === type) as Array<EngineEventOf<K>>;
  }
}
