/**
 * Event sequencers: upper-case hex strings that increase for every event of the engine, so
 * they increase per key as S3 promises, across restarts and even when a manual clock stands
 * still. A hi-lo allocator persists a reservation before handing out numbers below it, so a
 * restart continues above anything that was ever used without a write per event.
 */
import type { Storage, Sub } from '../storage/storage.js';
import { putOp } from '../storage/storage.js';

const RESERVATION_KEY = 'sequencer';
const BLOCK = 1_000_000;
/** Width of the hex sequencer: fixed, so string order is numeric order. */
const WIDTH = 18;

export class Sequencer {
  #next = 0;
  #reserved = 0;
  #reserving: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly meta: Sub<number>,
  ) {}

  /** Loads the last reservation; numbers continue above it. */
  async open(): Promise<void> {
    const reserved = (await this.meta.get(RESERVATION_KEY)) ?? 0;
    this.#next = reserved;
    this.#reserved = reserved;
  }

  /** The next sequencer, e.g. '00000000000000002A'. */
  next(): string | Promise<string> {
    if (this.#next < this.#reserved) return this.#format(this.#next++);
    return this.#nextAfterReserving();
  }

  async #nextAfterReserving(): Promise<string> {
    while (this.#next >= this.#reserved) {
      this.#reserving ??= this.#reserve().finally(() => {
        this.#reserving = undefined;
      });
      await this.#reserving;
    }
    return this.#format(this.#next++);
  }

  #format(n: number): string {
    return n.toString(16).toUpperCase().padStart(WIDTH, '0');
  }

  async #reserve(): Promise<void> {
    const reserved = this.#reserved + BLOCK;
    await this.storage.batch([putOp(this.meta, RESERVATION_KEY, reserved)]);
    this.#reserved = reserved;
  }
}
