/**
 * Mapping settings shared by every engine process on a cluster (the JetStream backend): a
 * mapping created, updated or deleted on one process runs (or stops) on all, its shards split
 * by the coordination's leases. Only the settings and the initial shard positions are shared;
 * each process keeps its own copy in its MappingStore with the status, the failure list and
 * the local copy of the checkpoints (the shared checkpoints belong to the coordination).
 * Absent (the embedded backend): the MappingStore is the only truth.
 */
import type { Observable } from 'rxjs';
import type { CheckpointRecord, MappingRecord } from './types.js';

/** What is shared of one mapping. */
export interface SharedMapping {
  readonly record: MappingRecord;
  /** The shards' starting checkpoints resolved at creation (LATEST is a position then). */
  readonly initial: ReadonlyArray<readonly [string, CheckpointRecord]>;
}

export interface SharedMappingRecords {
  all(): Promise<SharedMapping[]>;
  get(uuid: string): Promise<SharedMapping | undefined>;
  /**
   * Stores a new mapping; ResourceConflictException (naming the existing mapping's uuid, as
   * Lambda answers) when another one maps the same function and source.
   */
  create(mapping: SharedMapping): Promise<void>;
  /** Replaces the settings; ResourceConflictException when they are no longer `previous`. */
  update(next: MappingRecord, previous: SharedMapping): Promise<void>;
  /** Removes the mapping; ResourceConflictException when it is no longer `previous`. */
  delete(previous: SharedMapping): Promise<void>;
  /** Mappings written (mapping) or deleted (undefined) on any process, this one included. */
  readonly changes$: Observable<{ readonly uuid: string; readonly mapping: SharedMapping | undefined }>;
}
