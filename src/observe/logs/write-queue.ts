/**
 * The logs' writes to storage, in order: each flush is one storage batch (joined into the
 * storage's group commit with the engine's other writes, which keeps arrival order), and range
 * deletes (retention, deleted groups) run exclusively between them, so a delete never races a
 * write of the same range.
 */
import type { BatchOp, PrefixedPutOp, Storage } from '../../storage/storage.js';

const ignore = (): void => undefined;

export class WriteQueue {
  /** The last write or exclusive task queued; settles when it and everything before have. */
  #last: Promise<void> = Promise.resolve();
  /** A running or queued exclusive task: writes wait behind it. */
  #barrier: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Queues one atomic batch behind everything queued before it. */
  write(ops: ReadonlyArray<BatchOp | PrefixedPutOp>): void {
    if (ops.length === 0) return;
    const barrier = this.#barrier;
    const written = barrier ? barrier.then(() => this.storage.batch(ops)) : this.storage.batch(ops);
    this.#last = written.catch(this.onError);
  }

  /** Runs `work` once every queued write is done; writes queued meanwhile wait for it. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#last.then(work);
    const barrier = run.then(ignore, ignore);
    this.#barrier = barrier;
    this.#last = barrier;
    void barrier.then(() => {
      if (this.#barrier === barrier) this.#barrier = undefined;
    });
    return run;
  }

  /** Resolves once every write queued so far is stored (or failed and was reported). */
  settled(): Promise<void> {
    return this.#last;
  }
}
