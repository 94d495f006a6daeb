/**
 * Engine events. Each concept declares the events it emits in an interface of its own
 * (`src/<concept>/events.ts`); {@link EngineEventMap} joins them, so `emit` is checked against
 * the names and payloads and a misspelt event fails to compile.
 */
import { type Observable, Subject } from 'rxjs';
import type { Clock } from './clock.js';
import type { DispatchEventMap } from './dispatch/events.js';
import type { FunctionEventMap } from './functions/events.js';
import type { IamEventMap } from './iam/events.js';
import type { MappingEventMap } from './mappings/events.js';
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
    MappingEventMap {}

export type EngineEventType = keyof EngineEventMap;

/** One engine event: its `type`, the engine-clock `time` it happened, and its payload. */
export type EngineEvent = {
  [K in EngineEventType]: { type: K; time: number } & EngineEventMap[K];
}[EngineEventType];

/** An event of one type, e.g. `EngineEventOf<'engine.opened'>`. */
export type EngineEventOf<K extends EngineEventType> = Extract<EngineEvent, { type: K }>;

/** Owns the private Subject; the engine exposes only {@link EventHub.events$}. */
export class EventHub {
  readonly #subject = new Subject<EngineEvent>();
  readonly events$: Observable<EngineEvent> = this.#subject.asObservable();

  constructor(private readonly clock: Clock) {}

  /** True while someone is subscribed: hot paths skip building payloads nobody will see. */
  get observed(): boolean {
    return this.#subject.observed;
  }

  emit<K extends EngineEventType>(type: K, payload: EngineEventMap[K]): void {
    this.#subject.next({ type, time: this.clock.now(), ...payload } as unknown as EngineEvent);
  }

  complete(): void {
    this.#subject.complete();
  }
}
