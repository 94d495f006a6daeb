/**
 * A catalog seam: where metadata that several engine processes share lives (streams, tables).
 * Absent (the embedded backend), each concept keeps its metadata in the engine's LevelDB. The
 * clustered backend keeps each catalog in a KV bucket (src/backends/jetstream/kv-catalog.ts), so
 * a resource created, changed or deleted on one process is the same resource on every process.
 */
import type { Observable } from 'rxjs';

/** A compare-and-set lost: the record changed on another process since it was read. */
export class CatalogConflict extends Error {
  constructor(readonly key: string) {
    super(`${key} changed on another engine process`);
    this.name = 'CatalogConflict';
  }
}

/** A record created or changed (`record`) or deleted (undefined) on any process. */
export interface CatalogChange<T> {
  readonly key: string;
  readonly record: T | undefined;
}

export interface SharedCatalog<T> {
  /** Every record stored, read from the authority (not a cache). */
  all(): Promise<T[]>;
  /** One record (undefined: none), read from the authority. */
  get(key: string): Promise<T | undefined>;
  /**
   * Stores `next` (undefined deletes) if the stored record is still `previous` (undefined:
   * absent); throws {@link CatalogConflict} otherwise, changing nothing.
   */
  replace(key: string, next: T | undefined, previous: T | undefined): Promise<void>;
  /** Changes made by any process, in order per key; this process's own at most once. */
  readonly changes$: Observable<CatalogChange<T>>;
}
