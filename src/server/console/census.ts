/**
 * Live containers per function, counted from the runtime's spawn / stop events since the server
 * started (an engine opened just before `serve` has none yet).
 */
import type { Subscription } from 'rxjs';
import type { Engine } from '../../engine.js';

export class ContainerCensus {
  readonly #live = new Map<string, number>();
  readonly #subscription: Subscription;

  constructor(engine: Engine) {
    this.#subscription = engine
      .eventsOf$('function.container.spawned', 'function.container.stopped')
      .subscribe((e) => {
        const now =
          (this.#live.get(e.functionName) ?? 0) + (e.type === 'function.container.spawned' ? 1 : -1);
        if (now <= 0) this.#live.delete(e.functionName);
        else this.#live.set(e.functionName, now);
      });
  }

  /** Function name -> containers alive now. */
  counts(): ReadonlyMap<string, number> {
    return this.#live;
  }

  close(): void {
    this.#subscription.unsubscribe();
  }
}
