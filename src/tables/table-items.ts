/**
 * The table items seam: where items live when engine processes share them. Absent (embedded),
 * the table service keeps items in the engine's LevelDB and writes an item and its change record
 * in one batch. A shared store cannot make those one atomic write, so an item write carries its
 * change as a {@link PendingChange} until the change is on the table's stream; whoever finds a
 * pending change (the next write of the item, or the process that made it when it opens again)
 * makes sure it is there exactly once through the {@link ChangeOutlet} the table service gives.
 */
import type { AttributeMap, QueryInput, QueryOutput, TableMeta } from './model.js';

/** A change record made by an item write, carried with the item until it is on the stream. */
export interface PendingChange {
  /** Unique per change; the record's partition key ends with it, so a replay can look for it. */
  readonly id: string;
  /** MD5 hex of the item's storage key: routes the record (one shard per item). */
  readonly hash: string;
  /** Engine time (ms) when the change was made: its record is numbered at or after it. */
  readonly at: number;
  /** The encoded change record (change-record.ts), base64. */
  readonly data: string;
}

/** How a store gets a change onto its table's stream (the table service's shard log). */
export interface ChangeOutlet {
  /** Appends the change's record; resolves its sequence number (undefined: the table has no stream now). */
  publish(meta: TableMeta, change: PendingChange): Promise<string | undefined>;
  /** Whether the change's record is on the stream already (looked for from its time on). */
  published(meta: TableMeta, change: PendingChange): Promise<boolean>;
}

/**
 * Decides a write from the stored item (undefined: none). Throws to refuse it (a failed
 * condition); answers `undefined` when nothing changes, else `{ image }` (image undefined:
 * delete the item). Called again after a lost compare-and-set, on the item as stored then.
 */
export type ItemDecision = (old: AttributeMap | undefined) => { image: AttributeMap | undefined } | undefined;

/** What an item write did. */
export interface ItemWritten {
  readonly old: AttributeMap | undefined;
  readonly image: AttributeMap | undefined;
  /** False when the decision changed nothing. */
  readonly changed: boolean;
  /** The change record's sequence number, when one was appended. */
  readonly sequenceNumber?: string | undefined;
}

export interface SharedTableItems {
  /** The stored item under this storage key (key-codec.ts `itemKey`). */
  get(meta: TableMeta, storageKey: string): Promise<AttributeMap | undefined>;
  /** A query page, with embedded's rules and paging (query.ts). */
  query(meta: TableMeta, input: QueryInput): Promise<QueryOutput>;
  /**
   * Read, decide, compare-and-set, then the change (made by `change` from the old and new image,
   * undefined for a table without a stream) onto the stream through `outlet`. A lost
   * compare-and-set reads again and decides again.
   */
  write(
    meta: TableMeta,
    storageKey: string,
    decide: ItemDecision,
    change: (old: AttributeMap | undefined, image: AttributeMap | undefined) => PendingChange | undefined,
    outlet: ChangeOutlet,
  ): Promise<ItemWritten>;
  /** Removes every item of a deleted table (its uid). */
  drop(uid: string): Promise<void>;
  /**
   * At open: settles the changes this process left pending when it stopped (a crash between an
   * item write and its change record). `find` names the table of a uid, undefined when it is gone.
   */
  recover(find: (uid: string) => TableMeta | undefined, outlet: ChangeOutlet): Promise<void>;
}
