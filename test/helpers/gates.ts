/**
 * The test side of the gate fixture (test/fixtures/functions/gate.mjs): a handler invoked with
 * `{ waitFor: gates.name('go') }` waits until `gates.open(name)`. Messages, not files: the handler
 * asks on a BroadcastChannel, and is answered as soon as its gate is open.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { onCleanup } from './engines.js';

const GATE_CHANNEL = 'lambdalite-test-gates';

export class Gates {
  readonly #channel = new BroadcastChannel(GATE_CHANNEL);
  readonly #open = new Set<string>();
  /** Names unique to this set of gates, so tests running side by side never open each other's. */
  readonly #prefix = randomUUID();

  constructor() {
    this.#channel.onmessage = (message: unknown) => {
      const waiting = (message as { data?: { waiting?: unknown } }).data?.waiting;
      if (typeof waiting === 'string' && this.#open.has(waiting))
        this.#channel.postMessage({ open: waiting });
    };
    onCleanup(async () => this.#channel.close());
  }

  /** A gate's name, to pass as the event's `waitFor`. */
  name(label: string): string {
    return `${this.#prefix}/${label}`;
  }

  /** Lets every handler waiting at `name` go on, and those that arrive later pass at once. */
  open(name: string): void {
    this.#open.add(name);
    this.#channel.postMessage({ open: name });
  }
}

/**
 * The invocations waiting at a set of gates, in the order they announced themselves (the
 * handler asks on the channel when it arrives): which arrived, which the test let through, how
 * many ran at once at most, and a bounded wait for the n-th arrival.
 */
export class GateArrivals {
  readonly #channel = new BroadcastChannel(GATE_CHANNEL);
  readonly arrived: string[] = [];
  readonly passed: string[] = [];
  /** The most invocations waiting at a gate at once (arrived, not let through). */
  most = 0;
  #onArrival = (): void => undefined;

  constructor(private readonly gates: Gates) {
    const mine = gates.name('');
    this.#channel.onmessage = (message: unknown) => {
      const waiting = (message as { data?: { waiting?: unknown } }).data?.waiting;
      if (typeof waiting !== 'string' || !waiting.startsWith(mine) || this.arrived.includes(waiting)) return;
      this.arrived.push(waiting);
      this.most = Math.max(this.most, this.running);
      this.#onArrival();
    };
    onCleanup(async () => this.#channel.close());
  }

  /** Invocations waiting at a gate now. */
  get running(): number {
    return this.arrived.length - this.passed.length;
  }

  /** Lets the invocation waiting at `name` go on. */
  letThrough(name: string): void {
    this.passed.push(name);
    this.gates.open(name);
  }

  /** Resolves once `count` invocations arrived; rejects after `ms`, saying how many did. */
  atLeast(count: number, ms = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.arrived.length} of ${count} invocations started in ${ms} ms`)),
        ms,
      );
      this.#onArrival = () => {
        if (this.arrived.length < count) return;
        clearTimeout(timer);
        resolve();
      };
      this.#onArrival();
    });
  }

  close(): void {
    this.#channel.close();
  }
}
