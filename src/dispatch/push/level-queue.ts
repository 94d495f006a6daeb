/**
 * The embedded push queue driver: entries in the engine's LevelDB (store.ts), delivered by one
 * dispatcher (dispatcher.ts). Every write is a LevelDB batch, group-committed with the engine's
 * other writes.
 */
import type { EngineContext } from '../../context.js';
import type { BatchOp } from '../../storage/storage.js';
import type { DeliveryDeps, QueueOp } from './delivery-deps.js';
import { Dispatcher } from './dispatcher.js';
import type { PushQueueDriver, QueuedItem } from './queue-backend.js';
import type { QueueStore } from './store.js';
import type { DeadLetter, QueueEntry } from './types.js';

/** What a delivery needs but its writes, which each driver makes its own. */
export type DriverDeps = Omit<DeliveryDeps, 'store' | 'write' | 'queued'>;

export class LevelQueueDriver implements PushQueueDriver {
  readonly #ctx: EngineContext;
  readonly #store: QueueStore;
  readonly #dispatcher: Dispatcher;

  constructor(deps: DriverDeps, store: QueueStore) {
    this.#ctx = deps.ctx;
    this.#store = store;
    this.#dispatcher = new Dispatcher({
      ...deps,
      store,
      write: async (ops: readonly QueueOp[]) => {
        // Only the QueueStore builds this driver's ops: they are LevelDB batch operations.
        await deps.ctx.storage.batch(ops as readonly BatchOp[]);
        store.compactIfChurned();
      },
    });
  }

  start(): void {
    this.#dispatcher.start();
  }

  async put(items: readonly QueuedItem[]): Promise<void> {
    await this.#ctx.storage.batch(this.putOps(items));
  }

  handOver(items: readonly QueuedItem[]): void {
    for (const { entry, payloadJson } of items) this.#dispatcher.offer(entry, payloadJson);
  }

  putOps(items: readonly QueuedItem[]): BatchOp[] {
    return items.flatMap(({ entry, payloadJson }) => this.#store.putEntryOps(entry, payloadJson));
  }

  committed(): undefined {
    return undefined;
  }

  deadLetters(functionName: string): Promise<DeadLetter[]> {
    return this.#store.deadLetters(functionName);
  }

  async redrive(letters: readonly DeadLetter[], entries: readonly QueueEntry[]): Promise<void> {
    await this.#ctx.storage.batch([
      ...letters.flatMap((letter) => this.#store.removeDeadLetterOps(letter)),
      ...entries.flatMap((entry) => this.#store.putEntryOps(entry)),
    ]);
  }

  wake(functionName: string): void {
    this.#dispatcher.wake(functionName);
  }

  pendingCount(): Promise<number> {
    return this.#store.countEntries();
  }

  idle(): Promise<void> {
    return this.#dispatcher.idle();
  }

  get inFlight(): number {
    return this.#dispatcher.inFlight;
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }
}
