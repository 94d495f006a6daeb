/**
 * A readers-writer gate per bucket. Object writes hold the bucket shared (many at once, on any
 * keys); creating or deleting the bucket holds it exclusively. So DeleteBucket's emptiness check
 * and its delete cannot interleave with a put: a put that started first finishes first (and the
 * bucket is then not empty); a put that arrives later waits and then finds no bucket.
 */
export class BucketGate {
  readonly #active = new Map<string, number>();
  readonly #drained = new Map<string, Array<() => void>>();
  readonly #exclusive = new Map<string, Promise<void>>();

  async shared<T>(bucket: string, task: () => Promise<T>): Promise<T> {
    for (let held = this.#exclusive.get(bucket); held; held = this.#exclusive.get(bucket)) await held;
    this.#active.set(bucket, (this.#active.get(bucket) ?? 0) + 1);
    try {
      return await task();
    } finally {
      const left = (this.#active.get(bucket) ?? 1) - 1;
      if (left > 0) this.#active.set(bucket, left);
      else {
        this.#active.delete(bucket);
        for (const wake of this.#drained.get(bucket) ?? []) wake();
        this.#drained.delete(bucket);
      }
    }
  }

  async exclusive<T>(bucket: string, task: () => Promise<T>): Promise<T> {
    for (let held = this.#exclusive.get(bucket); held; held = this.#exclusive.get(bucket)) await held;
    let release = (): void => {};
    this.#exclusive.set(
      bucket,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    try {
      if (this.#active.has(bucket)) {
        await new Promise<void>((resolve) => {
          const waiting = this.#drained.get(bucket) ?? [];
          waiting.push(resolve);
          this.#drained.set(bucket, waiting);
        });
      }
      return await task();
    } finally {
      this.#exclusive.delete(bucket);
      release();
    }
  }
}
