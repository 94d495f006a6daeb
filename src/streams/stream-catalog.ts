/**
 * The stream catalog seam: where the metadata of Kinesis-style streams (shards, parents and
 * children, retention, the uid naming their records) lives when several engine processes share
 * them. Absent (the embedded backend), the shard log keeps every stream's metadata in the
 * engine's LevelDB. The clustered backend keeps them in a KV bucket
 * (src/backends/jetstream/stream-catalog.ts), so a stream created, resharded, re-tuned or
 * deleted on one process is the same stream on every process.
 */
import type { Observable } from 'rxjs';
import type { StreamMeta } from './model.js';

/** A compare-and-set lost: the stream's metadata changed on another process since it was read. */
export class CatalogConflict extends Error {
  constructor(readonly arn: string) {
    super(`the metadata of ${arn} changed on another engine process`);
    this.name = 'CatalogConflict';
  }
}

/** A stream created or changed (`meta`) or deleted (undefined) on any process. */
export interface CatalogChange {
  readonly arn: string;
  readonly meta: StreamMeta | undefined;
}

export interface StreamCatalog {
  /** Every stream stored, read from the authority (not a cache). */
  all(): Promise<StreamMeta[]>;
  /** One stream's stored metadata (undefined: none), read from the authority. */
  get(arn: string): Promise<StreamMeta | undefined>;
  /**
   * Stores `next` (undefined deletes) if the stored metadata is still `previous` (undefined:
   * absent); throws {@link CatalogConflict} otherwise, changing nothing.
   */
  replace(arn: string, next: StreamMeta | undefined, previous: StreamMeta | undefined): Promise<void>;
  /** Changes made by any process, in order per stream; this process's own at most once. */
  readonly changes$: Observable<CatalogChange>;
}
