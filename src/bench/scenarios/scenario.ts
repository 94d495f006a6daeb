/**
 * What every scenario hands to the runner: how to send records, and what it counts from the
 * engine's events and its own calls: completions, end-to-end latencies, cold starts and retries
 * (no AWS/Lambda metric measures those), and sends the engine refused. Errors, throttles,
 * durations and iterator ages come from the engine's metrics (function-metrics.ts).
 */
import type { Subscription } from 'rxjs';
import type { Engine } from '../../engine.js';
import { Latencies } from '../measure.js';

export class Tally {
  latencies = new Latencies();
  coldStarts = 0;
  /** Records or calls the engine refused when they were sent (they never ran). */
  refused = 0;
  retries = 0;
  #done = 0;
  #target = Number.POSITIVE_INFINITY;
  #reached: (() => void) | undefined;

  /** Starts the measured part after a warm-up: cold starts stay counted (the containers stay warm). */
  reset(): void {
    this.latencies = new Latencies();
    this.refused = 0;
    this.retries = 0;
    this.#done = 0;
    this.#target = Number.POSITIVE_INFINITY;
  }

  get done(): number {
    return this.#done;
  }

  /** `count` records finished: delivered, or given up. */
  finish(count: number): void {
    this.#done += count;
    if (this.#done >= this.#target) this.#reached?.();
  }

  /** Resolves once `count` records finished. */
  until(count: number): Promise<void> {
    this.#target = count;
    return new Promise((resolve) => {
      this.#reached = resolve;
      if (this.#done >= count) resolve();
    });
  }
}

export interface ScenarioRun {
  /** e.g. 'push: putObject -> bench' */
  readonly description: string;
  /** Calls of `send` in flight at once, and records per call. */
  readonly inFlight: number;
  readonly perCall: number;
  send(first: number, count: number): Promise<void>;
  readonly tally: Tally;
  /** Which raw baseline compares with this path. */
  readonly baseline: 'round-trips' | 'leveldb';
  stop(): void;
}

/** Cold starts of the function, counted from its containers' starts. */
export function countColdStarts(engine: Engine, functionName: string, tally: Tally): Subscription {
  return engine.eventsOf$('function.container.started').subscribe((e) => {
    if (e.functionName === functionName) tally.coldStarts++;
  });
}

/** The payload as a function's JSON event: the bytes' JSON if they hold some, else `{ data: text }`. */
export function payloadJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { data: text };
  }
}
