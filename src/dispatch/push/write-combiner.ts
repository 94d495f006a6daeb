/**
 * Group commit: logical writes that arrive while a batch is being written are joined into the
 * next single LevelDB batch. Each logical write stays atomic (all its ops are in one batch) and
 * its promise resolves only once that batch is durable, so nothing is acknowledged early; many
 * small writes (enqueues, settles) cost one batch instead of one each.
 */
import type { BatchOp, Storage } from '../../storage/storage.js';

interface Pending {
  ops: readonly BatchOp[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteCombiner {
  #pending: Pending[] = [];
  #writing = false;

  constructor(private readonly storage: Storage) {}

  write(ops: readonly BatchOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      // Let writers of the same tick join the first batch.
      await Promise.resolve();
      while (this.#pending.length > 0) {
        const group = this.#pending;
        this.#pending = [];
        try {
          await this.storage.batch(group.flatMap((p) => p.ops));
          for (const p of group) p.resolve();
        } catch {
          // One failing write must not fail the others: retry each alone for its own outcome.
          for (const p of group) await this.storage.batch(p.ops).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}
