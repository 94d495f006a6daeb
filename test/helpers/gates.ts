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
