/**
 * Backpressure for producers. Every call that writes on a producer's behalf (a put of an object,
 * records, an item, an Event invoke) holds its bytes in memory from the moment it is accepted
 * until it is answered, longer when the disk is slow or a key's writes queue behind each other.
 * A producer that awaits its calls is slowed by that; one that does not could pile up calls
 * without limit. So while the bytes of calls in flight pass `quotas.writeBacklogBytes`, new
 * calls are refused at once, before they write anything, with their service's retriable
 * throttling code (what AWS answers a client that outruns a partition). Writes the engine makes
 * for its own work (checkpoints, settling queued events, destination records) are never refused:
 * they finish work already accepted.
 */
import { LambdaliteError } from './errors.js';

/** The throttling answer of each service whose callers write. */
export type ThrottleCode = 'SlowDown' | 'ProvisionedThroughputExceededException' | 'TooManyRequestsException';

/** What a call costs besides its payload (its key, options, promise and bookkeeping), roughly. */
const CALL_OVERHEAD_BYTES = 256;

export class Backpressure {
  #inFlight = 0;
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of producers' calls accepted and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs `write` as a producer's call carrying `bytes`, or refuses it with `code` (naming `what`)
   * while the calls in flight are over the bound.
   */
  async run<T>(code: ThrottleCode, what: string, bytes: number, write: () => Promise<T>): Promise<T> {
    const refused = this.refusal(code, what);
    if (refused) throw refused;
    const held = bytes + CALL_OVERHEAD_BYTES;
    this.#inFlight += held;
    try {
      return await write();
    } finally {
      this.#inFlight -= held;
    }
  }

  /** {@link run}'s check alone, answering the refusal instead of throwing it. */
  refusal(code: ThrottleCode, what: string): LambdaliteError | undefined {
    if (this.#inFlight <= this.#maxBytes) return undefined;
    return new LambdaliteError(
      code,
      `${what} refused: ${this.#inFlight} bytes of writes are in flight, above ` +
        `quotas.writeBacklogBytes (${this.#maxBytes}); retry with backoff`,
      { retriable: true },
    );
  }
}
