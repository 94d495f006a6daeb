/**
 * The storage layer: one LevelDB (classic-level on disk, memory-level in memory) split into
 * sublevels per concept. Every logical write of the engine is one {@link Storage.batch} call,
 * which LevelDB applies atomically across sublevels. Writes are group-committed: while one batch
 * is being written, the batches that arrive meanwhile are joined into the next single LevelDB
 * batch (each stays atomic, each resolves only once its batch is durable), so many concurrent
 * small writes (object puts, queue settles, checkpoints) cost one native write instead of one each.
 */
import type { AbstractBatchOperation, AbstractLevel, AbstractSublevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { LambdaliteError } from '../errors.js';
import { ensureDirectory } from './directory.js';

type KeyInput = string | Buffer | Uint8Array;
export type RootDb = AbstractLevel<KeyInput, string, string>;
/** A sublevel with string keys and values of type `V`. */
export type Sub<V> = AbstractSublevel<RootDb, KeyInput, string, V>;
export type ValueEncoding = 'json' | 'utf8' | 'buffer' | 'view';

/** One operation of an atomic batch; builders below keep key and value types honest. */
export type BatchOp =
  | { type: 'put'; sublevel: Sub<unknown>; key: string; value: unknown; valueEncoding?: 'utf8' }
  | { type: 'del'; sublevel: Sub<unknown>; key: string };

export function putOp<V>(sublevel: Sub<V>, key: string, value: V): BatchOp {
  return { type: 'put', sublevel: sublevel as Sub<unknown>, key, value };
}

/**
 * A put into a JSON sublevel whose value is given as its JSON text (exactly what the sublevel's
 * encoding would write for the value): stored as is, so a caller that has the text already does
 * not serialise twice. Reads decode it as usual.
 */
export function putJsonTextOp<V>(sublevel: Sub<V>, key: string, json: string): BatchOp {
  return { type: 'put', sublevel: sublevel as Sub<unknown>, key, value: json, valueEncoding: 'utf8' };
}

export function delOp<V>(sublevel: Sub<V>, key: string): BatchOp {
  return { type: 'del', sublevel: sublevel as Sub<unknown>, key };
}

/**
 * A put addressed to the root store with the sublevel's prefix applied by the caller: the same
 * bytes as `putOp(sublevel, key, value)`, minus abstract-level's per-operation sublevel work.
 * For bulk appends of Buffer values (stream records); everything else uses putOp.
 */
export interface PrefixedPutOp {
  type: 'put';
  key: string;
  value: Buffer;
  valueEncoding: 'buffer';
}

export function prefixedPutOp(sublevel: Sub<Buffer>, key: string, value: Buffer): PrefixedPutOp {
  return { type: 'put', key: sublevel.prefix + key, value, valueEncoding: 'buffer' };
}

interface PendingWrite {
  ops: readonly (BatchOp | PrefixedPutOp)[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

type LevelOps = Array<AbstractBatchOperation<RootDb, string, string>>;

/**
 * A test seam: called before each LevelDB batch; what it throws stands for the disk
 * refusing the write (full, read-only, I/O error), and a promise it returns holds the write
 * back until it settles (a slow disk).
 */
export interface StorageFaults {
  beforeWrite(): void | Promise<void>;
}

/** A failed LevelDB write as callers see it: coded, retriable, the lower error kept as cause. */
function writeFailed(err: unknown): LambdaliteError {
  if (err instanceof LambdaliteError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new LambdaliteError(
    'ServiceException',
    `storage refused the write, nothing was written: ${detail}`,
    {
      cause: err,
      retriable: true,
    },
  );
}

export class Storage {
  readonly #db: RootDb;
  /** Batches waiting for the one being written; written together next. */
  #pending: PendingWrite[] = [];
  /** The running write loop, if any. */
  #writing: Promise<void> | undefined;
  #nativeBatches = 0;
  /** The running compaction, if any (close waits for it). */
  #compacting: Promise<void> | undefined;
  readonly #subs = new Map<string, Sub<unknown>>();
  readonly #faults: StorageFaults | undefined;
  /** Directory on disk, or undefined for memory. */
  readonly location: string | undefined;

  private constructor(db: RootDb, location: string | undefined, faults: StorageFaults | undefined) {
    this.#db = db;
    this.location = location;
    this.#faults = faults;
  }

  /**
   * Opens LevelDB at `location`, or an in-memory store when omitted. A directory another engine
   * holds fails at once with `ResourceInUseException` (LevelDB's LOCK file), never a hang.
   */
  static async open(location?: string, faults?: StorageFaults): Promise<Storage> {
    if (location === undefined) {
      const db = new MemoryLevel<string, string>({
        keyEncoding: 'utf8',
        valueEncoding: 'utf8',
        storeEncoding: 'buffer',
      });
      await db.open();
      return new Storage(db, undefined, faults);
    }
    await ensureDirectory(location);
    const db = new ClassicLevel<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new LambdaliteError(
          'ResourceInUseException',
          `LevelDB directory '${location}' is locked: another engine (in this or another process) has it open`,
          { cause: err },
        );
      }
      throw new LambdaliteError('ServiceException', `could not open LevelDB directory '${location}'`, {
        cause: err,
      });
    }
    return new Storage(db, location, faults);
  }

  /** The sublevel named `name`, created once; later calls return the same instance. */
  sublevel<V>(name: string, valueEncoding: ValueEncoding = 'json'): Sub<V> {
    let sub = this.#subs.get(name);
    if (!sub) {
      sub = this.#db.sublevel<string, unknown>(name, { keyEncoding: 'utf8', valueEncoding }) as Sub<unknown>;
      this.#subs.set(name, sub);
    }
    return sub as Sub<V>;
  }

  /**
   * Applies all operations atomically: all of them are durable, or none is. Resolves once they
   * are written. A batch that arrives while none is being written goes to LevelDB at once; those
   * that arrive meanwhile wait and are written as one, in arrival order (a later put of the same
   * key wins, as with separate batches written one after another).
   */
  batch(ops: readonly (BatchOp | PrefixedPutOp)[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject });
      this.#writing ??= this.#writeLoop();
    });
  }

  /** LevelDB batches written so far (fewer than {@link batch} calls when writes were joined). */
  get nativeBatches(): number {
    return this.#nativeBatches;
  }

  async #write(ops: readonly (BatchOp | PrefixedPutOp)[]): Promise<void> {
    this.#nativeBatches++;
    try {
      const held = this.#faults?.beforeWrite();
      if (held) await held;
      await this.#db.batch(ops as unknown as LevelOps);
    } catch (err) {
      throw writeFailed(err);
    }
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const group = this.#pending;
        this.#pending = [];
        const [only] = group;
        if (group.length === 1 && only) {
          await this.#write(only.ops).then(only.resolve, only.reject);
          continue;
        }
        const all: Array<BatchOp | PrefixedPutOp> = [];
        for (const write of group) for (const op of write.ops) all.push(op);
        try {
          await this.#write(all);
          for (const write of group) write.resolve();
        } catch {
          // One bad write must not fail the others: write each alone for its own outcome.
          for (const write of group) {
            await this.#write(write.ops).then(write.resolve, write.reject);
          }
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /**
   * Compacts the sublevel's key range in the background (classic-level only; a no-op in memory)
   * and resolves when done. LevelDB keeps deleted keys as tombstones until compaction reaches
   * them, and a range read from the start of a queue-like range (many deletes at its head) steps
   * over every one of them; compacting drops them. One compaction runs at a time: a call while one
   * runs returns that one.
   */
  compact(sublevel: Sub<unknown>): Promise<void> {
    const db = this.#db;
    if (!(db instanceof ClassicLevel) || db.status !== 'open') return Promise.resolve();
    this.#compacting ??= db
      .compactRange(sublevel.prefix, `${sublevel.prefix}\uffff`)
      .catch(() => undefined)
      .finally(() => {
        this.#compacting = undefined;
      });
    return this.#compacting;
  }

  get status(): string {
    return this.#db.status;
  }

  async close(): Promise<void> {
    // Writes already accepted finish first (their callers are waiting for them).
    while (this.#writing) await this.#writing;
    await this.#compacting;
    await this.#db.close();
  }
}
