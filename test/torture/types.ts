/** What the torture child reports at the end (`dump.json`) and what the parent saw meanwhile. */

/** One stored record of a stream or table stream, with the object key it carries. */
export interface DumpRecord {
  readonly seq: string;
  readonly key: string;
}

export interface Dump {
  /** Keys of the objects in the bucket `uploads`. */
  readonly objects: string[];
  /** The stream `flow`, per shard, in order (key: the object key `ingest` forwarded). */
  readonly flow: Record<string, DumpRecord[]>;
  /** The table `items`' stream, per shard, in order (key: the item's id). */
  readonly items: Record<string, DumpRecord[]>;
  /** Keys of the events in the on-failure destination stream `failures`. */
  readonly failures: string[];
  readonly deadLetters: { readonly flaky: string[]; readonly doomed: string[] };
  /** The dead letters of `chaos`, with the error each was given up with. */
  readonly chaosLetters: Array<{ readonly key: string; readonly lastError: string }>;
  /** The log groups and the number of metrics the reopened engine reports. */
  readonly logGroups: string[];
  readonly metrics: number;
  /** Stored checkpoints per mapping, per shard. */
  readonly checkpoints: { readonly relay: Record<string, string>; readonly audit: Record<string, string> };
}

/** A write or invoke the child printed once the engine acknowledged it. */
export interface Ack {
  readonly kind: 'obj' | 'flaky' | 'doomed' | 'chaos';
  readonly key: string;
  readonly fail: boolean;
  /** chaos only: how the function misbehaves. */
  readonly fault?: string;
}

/** A checkpoint the child printed, with the size its function's journal had when the parent read it. */
export interface SeenCheckpoint {
  readonly mapping: 'relay' | 'audit';
  readonly shardId: string;
  readonly seq: string;
  readonly journalBytes: number;
}
