/**
 * Engine events. Each concept declares the events it emits in an interface of its own
 * (`src/<concept>/events.ts`); {@link EngineEventMap} joins them, so `emit` is checked against
 * the names and payloads and a misspelt event fails to compile.
 */
import { Observable, Subject } from 'rxjs';
import type { Clock } from './clock.js';
import type { DispatchEventMap } from './dispatch/events.js';
import type { FunctionEventMap } from './functions/events.js';
import type { IamEventMap } from './iam/events.js';
import type { MappingEventMap } from './mappings/events.js';
import type { LogsEventMap } from './observe/logs/events.js';
import type { MetricsEventMap } from './observe/metrics/events.js';
import type { RuntimeEventMap } from './runtime/events.js';
import type { StreamEventMap } from './streams/events.js';
import type { TableEventMap } from './tables/events.js';

/** Events of the engine as a whole. */
export interface LifecycleEventMap {
  'engine.opened': { location: string | undefined; region: string; accountId: string };
  'engine.closed': Record<string, never>;
}

export interface EngineEventMap
  extends LifecycleEventMap,
    IamEventMap,
    DispatchEventMap,
    FunctionEventMap,
    RuntimeEventMap,
    StreamEventMap,
    TableEventMap,
    MappingEventMap,
    LogsEventMap,
    MetricsEventMap {}

export type EngineEventType = keyof EngineEventMap;

/** One engine event: its `type`, the engine-clock `time` it happened, and its payload. */
export type EngineEvent = {
  [K in EngineEventType]: { type: K; time: number } & EngineEventMap[K];
}[EngineEventType];

/** An event of one type, e.g. `EngineEventOf<'engine.opened'>`. */
export type EngineEventOf<K extends EngineEventType> = Extract<EngineEvent, { type: K }>;

/**
 * Owns the private Subjects; the engine exposes {@link EventHub.events$} (everything) and
 * {@link EventHub.of$} (chosen types). An event nobody observes is not even built.
 */
export class EventHub {
  readonly #subject = new Subject<EngineEvent>();
  /** One Subject per type that someone subscribed to with of$. */
  readonly #typed = new Map<EngineEventType, Subject<EngineEvent>>();
  readonly events$: Observable<EngineEvent> = this.#subject.asObservable();
  #completed = false;
  #built = 0;

  constructor(private readonly clock: Clock) {}

  /**
   * Events of the given types only. Hot paths skip building the payloads of types nobody
   * observes, so subscribing to a few types instead of `events$` costs the engine less.
   */
  of$<K extends EngineEventType>(...types: K[]): Observable<EngineEventOf<K>> {
    return new Observable<EngineEventOf<K>>((subscriber) => {
      const subscriptions = [...new Set(types)].map((type) => {
        let subject = this.#typed.get(type);
        if (!subject) {
          subject = new Subject<EngineEvent>();
          this.#typed.set(type, subject);
        }
        return subject.subscribe({
          next: (event) => subscriber.next(event as EngineEventOf<K>),
          complete: () => subscriber.complete(),
        });
      });
      if (this.#completed) subscriber.complete();
      return () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
      };
    });
  }

  /** True while someone observes events of `type` (through events$ or of$). */
  observes(type: EngineEventType): boolean {
    return this.#subject.observed || (this.#typed.get(type)?.observed ?? false);
  }

  emit<K extends EngineEventType>(type: K, payload: EngineEventMap[K]): void {
    const all = this.#subject.observed;
    const typed = this.#typed.get(type);
    if (!all && !typed?.observed) return;
    this.#built++;
    const event = { type, time: this.clock.now(), ...payload } as unknown as EngineEvent;
    if (all) this.#subject.next(event);
    if (typed?.observed) typed.next(event);
  }

  /** Events built so far (the test harness checks that none is built when nobody observes). */
  get built(): number {
    return this.#built;
  }

  complete(): void {
    this.#completed = true;
    this.#subject.complete();
    for (const subject of this.#typed.values()) subject.complete();
  }
}
