import { ulid } from 'ulid';
import type { EngineContext } from '../context.js';
import { LambdaliteError } from '../errors.js';
import { md5Hex } from '../hash.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { CatalogConflict } from '../storage/shared-catalog.js';
import { type BatchOp, delOp, putOp, type Sub } from '../storage/storage.js';
import { Tombstones } from '../storage/tombstones.js';
import type { ShardLog, StreamState } from '../streams/shard-log.js';
import { showValue } from '../validation/text.js';
import { changeOutlet } from './change-outlet.js';
import { changeEventName, decorateChange, encodeChange } from './change-record.js';
import { checkCondition, itemDecision, pendingChange, unchanged } from './item-decision.js';
import { itemKey, keyOf } from './key-codec.js';
import { itemSize, marshalItem, unmarshalItem } from './marshal.js';
import type {
  AttributeMap,
  CreatedTable,
  CreateTableOptions,
  Item,
  ItemCondition,
  ItemUpdate,
  QueryInput,
  QueryOutput,
  TableDescription,
  TableMeta,
  WriteOptions,
} from './model.js';
import { runQuery } from './query.js';
import type { TableCatalog } from './table-catalog.js';
import type { ChangeOutlet, SharedTableItems } from './table-items.js';
import {
  checkCreateTable,
  checkItemObject,
  checkTableName,
  checkUpdate,
  checkWriteOptions,
  ITEM_MAX_BYTES,
} from './validate.js';

/** DynamoDB Streams keep records 24 hours (fixed). */
const TABLE_STREAM_RETENTION_HOURS = 24;

export class TableService {
  readonly #ctx: EngineContext;
  readonly #log: ShardLog;
  readonly #metas: Sub<TableMeta>;
  readonly #items: Sub<AttributeMap>;
  readonly #tombstones: Tombstones;
  readonly #tables = new Map<string, TableMeta>();
  readonly #mutex = new KeyedMutex();
  /** Item writes in flight per table uid, so delete can let them finish before purging. */
  readonly #inflight = new Map<string, Set<Promise<unknown>>>();
  /** Where table metadata lives when engine processes share it; absent: LevelDB. */
  readonly #catalog: TableCatalog | undefined;
  /** Where items live when engine processes share them; absent: LevelDB. */
  readonly #shared: SharedTableItems | undefined;
  readonly #outlet: ChangeOutlet;

  private constructor(
    ctx: EngineContext,
    log: ShardLog,
    catalog: TableCatalog | undefined,
    shared: SharedTableItems | undefined,
  ) {
    this.#ctx = ctx;
    this.#log = log;
    this.#catalog = catalog;
    this.#shared = shared;
    this.#outlet = changeOutlet(log);
    this.#metas = ctx.storage.sublevel<TableMeta>('tables', 'json');
    this.#items = ctx.storage.sublevel<AttributeMap>('table-items', 'json');
    this.#tombstones = new Tombstones(ctx.storage, 'table-tombstones', (uid) =>
      shared ? shared.drop(uid) : this.#items.clear({ gte: `${uid}\x00`, lt: `${uid}\x01` }),
    );
    log.decorate('dynamodb', decorateChange);
  }

  /** @internal built by the engine. */
  static async open(
    ctx: EngineContext,
    log: ShardLog,
    catalog?: TableCatalog,
    shared?: SharedTableItems,
  ): Promise<TableService> {
    const service = new TableService(ctx, log, catalog, shared);
    for (const meta of catalog ? await catalog.all() : await service.#metas.values().all()) {
      service.#tables.set(meta.name, meta);
    }
    await service.#tombstones.resume();
    // Changes this process owed its tables' streams when it stopped (a crash mid-write).
    await shared?.recover((uid) => [...service.#tables.values()].find((m) => m.uid === uid), service.#outlet);
    // A table created or deleted on another engine process (the items stay each process's own).
    const adoption = catalog?.changes$.subscribe(({ key, record }) => {
      void service.#mutex.run(`table:${key}`, async () => service.#adopt(key, record));
    });
    ctx.lifecycle.onClose(async () => {
      adoption?.unsubscribe();
      await service.#mutex.idle();
      await service.#tombstones.settled();
    });
    return service;
  }

  /**
   * Takes a table's stored metadata (undefined: deleted) from the shared catalog, under the
   * table's lock. A table deleted elsewhere has its items here purged too.
   */
  #adopt(name: string, meta: TableMeta | undefined): void {
    const current = this.#tables.get(name);
    if (current && current.uid === meta?.uid) return;
    if (current) {
      this.#tables.delete(name);
      this.#tombstones.purge(current.uid);
    }
    if (meta && this.#ctx.lifecycle.status === 'open') this.#tables.set(name, meta);
  }

  /**
   * A table this process knows, or the shared catalog's (created elsewhere a moment ago); `fresh`
   * reads the catalog even when this process knows the table (describe).
   */
  async #find(name: string, fresh = false): Promise<TableMeta> {
    const known = typeof name === 'string' ? this.#tables.get(name) : undefined;
    const catalog = this.#catalog;
    if ((known && !fresh) || !catalog || typeof name !== 'string') return this.#table(name);
    await this.#mutex.run(`table:${name}`, async () => this.#adopt(name, await catalog.get(name)));
    return this.#table(name);
  }

  /**
   * Creates a table; with `streamViewType` also its stream.
   *
   * @example
   * const { streamArn } = await engine.tables.create('users', { partitionKey: 'id', streamViewType: 'NEW_IMAGE' });
   */
  async create(name: string, options: CreateTableOptions): Promise<CreatedTable> {
    this.#ctx.lifecycle.assertOpen();
    checkTableName(name);
    const checked = checkCreateTable(options);
    return this.#mutex.run(`table:${name}`, async () => {
      // Known here, but perhaps deleted elsewhere a moment ago (its deletion not yet watched).
      if (this.#catalog && this.#tables.has(name)) this.#adopt(name, await this.#catalog.get(name));
      if (this.#tables.has(name))
        throw new LambdaliteError('ResourceInUseException', `Table already exists: ${name}`);
      const now = this.#ctx.clock.now();
      const arn = this.#ctx.arns.table(name);
      const meta: TableMeta = { name, arn, uid: ulid(), createdAt: now, ...checked };
      if (this.#catalog) return this.#createShared(meta);
      const ops: BatchOp[] = [];
      let stream: ReturnType<ShardLog['createOps']> | undefined;
      if (checked.streamViewType) {
        const label = new Date(now).toISOString().slice(0, -1);
        meta.streamLabel = label;
        meta.streamArn = this.#ctx.arns.tableStream(name, label);
        stream = this.#log.createOps(
          meta.streamArn,
          `${name}/stream/${label}`,
          'dynamodb',
          TABLE_STREAM_RETENTION_HOURS,
        );
        ops.push(...stream.ops);
      }
      ops.push(putOp(this.#metas, name, meta));
      await this.#ctx.storage.batch(ops);
      if (stream) this.#log.adopt(stream.meta);
      this.#tables.set(name, meta);
      this.#ctx.events.emit('table.created', {
        tableName: name,
        tableArn: arn,
        ...(meta.streamArn ? { streamArn: meta.streamArn } : {}),
      });
      return { ...describeTable(meta), arn, ...(meta.streamArn ? { streamArn: meta.streamArn } : {}) };
    });
  }

  /**
   * A table on the shared catalog: its stream first (a crash in between leaves a stream no table
   * names, never a table without its stream), then the table, compare-and-set: the loser of a
   * race deletes its stream and gets ResourceInUseException. Runs under the table's lock.
   */
  async #createShared(meta: TableMeta): Promise<CreatedTable> {
    const catalog = this.#catalog as TableCatalog;
    const now = meta.createdAt;
    let stream: StreamState | undefined;
    if (meta.streamViewType) {
      const label = new Date(now).toISOString().slice(0, -1);
      meta.streamLabel = label;
      meta.streamArn = this.#ctx.arns.tableStream(meta.name, label);
      const streamArn = meta.streamArn;
      try {
        stream = await this.#log.withStream(streamArn, () =>
          this.#log.create(
            streamArn,
            `${meta.name}/stream/${label}`,
            'dynamodb',
            1,
            TABLE_STREAM_RETENTION_HOURS,
          ),
        );
      } catch (err) {
        // Another process creating this table in the same millisecond made this stream ARN: it wins.
        if (!(err instanceof CatalogConflict)) throw err;
        throw new LambdaliteError('ResourceInUseException', `Table already exists: ${meta.name}`);
      }
    }
    try {
      await catalog.replace(meta.name, meta, undefined);
    } catch (err) {
      if (stream) {
        const made = stream;
        await this.#log.withStream(made.meta.arn, () => this.#log.remove(made)).catch(() => undefined);
      }
      if (!(err instanceof CatalogConflict)) throw err;
      this.#adopt(meta.name, await catalog.get(meta.name));
      throw new LambdaliteError('ResourceInUseException', `Table already exists: ${meta.name}`);
    }
    this.#tables.set(meta.name, meta);
    this.#ctx.events.emit('table.created', {
      tableName: meta.name,
      tableArn: meta.arn,
      ...(meta.streamArn ? { streamArn: meta.streamArn } : {}),
    });
    return {
      ...describeTable(meta),
      arn: meta.arn,
      ...(meta.streamArn ? { streamArn: meta.streamArn } : {}),
    };
  }

  /**
   * A table on the shared catalog: removed compare-and-set (ResourceNotFoundException when
   * another process deleted it first), then its stream; its items here are purged in the
   * background (each process purges its own when the deletion reaches it).
   */
  async #deleteShared(meta: TableMeta): Promise<void> {
    const catalog = this.#catalog as TableCatalog;
    // New item writes fail from here on; those already past their check finish first.
    this.#tables.delete(meta.name);
    try {
      await Promise.allSettled([...(this.#inflight.get(meta.uid) ?? [])]);
      await catalog.replace(meta.name, undefined, meta);
    } catch (err) {
      if (!(err instanceof CatalogConflict)) {
        this.#tables.set(meta.name, meta);
        throw err;
      }
      // Tables are never changed in place: this uid's table is gone (deleted elsewhere).
      this.#tombstones.purge(meta.uid);
      this.#adopt(meta.name, await catalog.get(meta.name));
      throw notFound(meta.name);
    }
    // A crash before the purge leaves items no table names (local storage only).
    await this.#ctx.storage.batch([this.#tombstones.markOp(meta.uid, meta.name)]);
    this.#tombstones.purge(meta.uid);
    const streamArn = meta.streamArn;
    const stream = streamArn ? await this.#log.lookup(streamArn) : undefined;
    if (stream && streamArn) {
      await this.#log.withStream(streamArn, async () => {
        if (!stream.deleted) await this.#log.remove(stream);
      });
    }
  }

  /** Deletes the table, its items (in the background) and its stream. */
  async delete(name: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    await this.#mutex.run(`table:${name}`, async () => {
      if (this.#catalog) {
        if (this.#tables.get(name) !== meta) throw notFound(name);
        await this.#deleteShared(meta);
        return;
      }
      if (this.#tables.get(name) !== meta) throw notFound(name);
      // New item writes fail from here on; those already past their check finish first, so the
      // purge below removes everything they wrote.
      this.#tables.delete(name);
      const stream = meta.streamArn ? this.#log.find(meta.streamArn) : undefined;
      try {
        await Promise.allSettled([...(this.#inflight.get(meta.uid) ?? [])]);
        await this.#ctx.storage.batch([
          delOp(this.#metas, name),
          this.#tombstones.markOp(meta.uid, name),
          ...(stream ? this.#log.deleteOps(stream) : []),
        ]);
      } catch (err) {
        this.#tables.set(name, meta);
        throw err;
      }
      if (stream) this.#log.deleted(stream);
      this.#tombstones.purge(meta.uid);
    });
    if (meta.streamArn !== undefined) this.#log.signal({ kind: 'deleted', streamArn: meta.streamArn });
    this.#ctx.events.emit('table.deleted', { tableName: name, tableArn: meta.arn });
  }

  async describe(name: string): Promise<TableDescription> {
    this.#ctx.lifecycle.assertOpen();
    return describeTable(await this.#find(name, true));
  }

  /** Table names, sorted. */
  async list(): Promise<string[]> {
    this.#ctx.lifecycle.assertOpen();
    const catalog = this.#catalog;
    if (catalog) {
      // The cluster's tables: those created elsewhere are added, those deleted (confirmed) dropped.
      const stored = await catalog.all();
      const names = new Set(stored.map((meta) => meta.name));
      for (const meta of stored)
        await this.#mutex.run(`table:${meta.name}`, async () => this.#adopt(meta.name, meta));
      for (const name of [...this.#tables.keys()]) {
        if (names.has(name)) continue;
        await this.#mutex.run(`table:${name}`, async () => this.#adopt(name, await catalog.get(name)));
      }
    }
    return [...this.#tables.keys()].sort();
  }

  /** Writes the whole item (replacing any item with the same key). */
  async putItem(name: string, item: Item, options: WriteOptions = {}): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    const { condition } = checkWriteOptions(options);
    checkItemObject(item, 'item');
    const key = keyOf(meta, item, 'item');
    const image = marshalItem(item);
    await this.#write(meta, key, this.#checkSize(image), () => image, condition);
  }

  /** The item with this key, or undefined. */
  async getItem(name: string, key: Item): Promise<Item | undefined> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    const storageKey = itemKey(meta, keyOf(meta, checkItemObject(key, 'key')));
    const stored = this.#shared
      ? await this.#shared.get(meta, storageKey)
      : await this.#items.get(storageKey);
    return stored === undefined ? undefined : unmarshalItem(stored);
  }

  /**
   * Sets and removes top-level attributes, creating the item if missing; returns the new item.
   * Key attributes cannot be changed.
   */
  async updateItem(
    name: string,
    key: Item,
    update: ItemUpdate,
    options: WriteOptions = {},
  ): Promise<Item | undefined> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    const { condition } = checkWriteOptions(options);
    const itemKeyValues = keyOf(meta, checkItemObject(key, 'key'));
    const { set, remove } = checkUpdate(update);
    const keyNames = [meta.partitionKey.name, meta.sortKey?.name].filter((n): n is string => n !== undefined);
    for (const attr of [...Object.keys(set), ...remove]) {
      if (keyNames.includes(attr)) {
        throw new LambdaliteError(
          'ValidationException',
          `Cannot update attribute ${attr}. This attribute is part of the key`,
        );
      }
    }
    const setMap = marshalItem(set);
    const result = await this.#write(
      meta,
      itemKeyValues,
      itemSize(setMap),
      (old) => {
        const next: AttributeMap = { ...(old ?? marshalItem(itemKeyValues)), ...setMap };
        for (const attr of remove) delete next[attr];
        this.#checkSize(next);
        return next;
      },
      condition,
    );
    return result === undefined ? undefined : unmarshalItem(result);
  }

  /** Deletes the item with this key (no error, and no record, if it does not exist). */
  async deleteItem(name: string, key: Item, options: WriteOptions = {}): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    const { condition } = checkWriteOptions(options);
    await this.#write(meta, keyOf(meta, checkItemObject(key, 'key')), 0, () => undefined, condition);
  }

  /** Items of one partition key in sort-key order; see {@link QueryInput}. */
  async query(name: string, input: QueryInput): Promise<QueryOutput> {
    this.#ctx.lifecycle.assertOpen();
    const meta = await this.#find(name);
    return this.#shared ? this.#shared.query(meta, input) : runQuery(this.#items, meta, input);
  }

  /**
   * Read-modify-write of one item under its lock. The item write and its change record are one
   * batch (through the shard log, which adds the record and shard counter).
   */
  #write(
    meta: TableMeta,
    key: Item,
    bytes: number,
    next: (old: AttributeMap | undefined) => AttributeMap | undefined,
    condition?: ItemCondition,
  ): Promise<AttributeMap | undefined> {
    return this.#ctx.backpressure.run(
      'ProvisionedThroughputExceededException',
      `a write to table '${meta.name}'`,
      bytes,
      () => this.#writeItem(meta, key, next, condition),
    );
  }

  async #writeItem(
    meta: TableMeta,
    key: Item,
    next: (old: AttributeMap | undefined) => AttributeMap | undefined,
    condition?: ItemCondition,
  ): Promise<AttributeMap | undefined> {
    const storageKey = itemKey(meta, key);
    const write = this.#mutex.run(storageKey, async () => {
      this.#ctx.lifecycle.assertOpen();
      if (this.#tables.get(meta.name) !== meta) throw notFound(meta.name);
      if (this.#shared) return this.#writeShared(this.#shared, meta, key, storageKey, next, condition);
      const old = await this.#items.get(storageKey);
      checkCondition(condition, old);
      const image = next(old);
      if (unchanged(old, image)) return image;
      const ops = [image ? putOp(this.#items, storageKey, image) : delOp(this.#items, storageKey)];
      const eventName = changeEventName(old, image);
      // lookup: on a shared catalog, a table adopted from another process before its stream.
      const stream = meta.streamArn ? await this.#log.lookup(meta.streamArn) : undefined;
      let sequenceNumber: string | undefined;
      if (stream && meta.streamViewType && meta.streamArn) {
        const data = encodeChange({
          eventName,
          region: this.#ctx.region,
          streamArn: meta.streamArn,
          now: this.#ctx.clock.now(),
          keys: marshalItem(key),
          oldImage: old,
          newImage: image,
          viewType: meta.streamViewType,
        });
        sequenceNumber = await this.#append(stream, storageKey, data, ops);
      } else {
        await this.#ctx.storage.batch(ops);
      }
      this.#ctx.events.emit('table.itemChanged', {
        tableName: meta.name,
        eventName,
        ...(sequenceNumber ? { sequenceNumber } : {}),
      });
      return image;
    });
    const writes = this.#inflight.get(meta.uid) ?? new Set<Promise<unknown>>();
    this.#inflight.set(meta.uid, writes);
    const tracked = write.catch(() => undefined);
    writes.add(tracked);
    void tracked.finally(() => {
      writes.delete(tracked);
      if (writes.size === 0) this.#inflight.delete(meta.uid);
    });
    return write;
  }

  /**
   * The write on shared items: compare-and-set on the item's revision, the condition judged on
   * what was read (again after a lost race), the change record owed by the item until appended
   * (table-items.ts).
   */
  async #writeShared(
    shared: SharedTableItems,
    meta: TableMeta,
    key: Item,
    storageKey: string,
    next: (old: AttributeMap | undefined) => AttributeMap | undefined,
    condition: ItemCondition | undefined,
  ): Promise<AttributeMap | undefined> {
    const written = await shared.write(
      meta,
      storageKey,
      itemDecision(condition, next),
      (old, image) =>
        pendingChange(
          { region: this.#ctx.region, now: this.#ctx.clock.now() },
          meta,
          key,
          storageKey,
          old,
          image,
        ),
      this.#outlet,
    );
    if (written.changed) {
      this.#ctx.events.emit('table.itemChanged', {
        tableName: meta.name,
        eventName: changeEventName(written.old, written.image),
        ...(written.sequenceNumber ? { sequenceNumber: written.sequenceNumber } : {}),
      });
    }
    return written.image;
  }

  async #append(stream: StreamState, storageKey: string, data: Buffer, ops: BatchOp[]): Promise<string> {
    const partitionKey = md5Hex(storageKey);
    const entry = { partitionKey, data, hashKey: BigInt(`0x${partitionKey}`) };
    for (;;) {
      const shard = this.#log.route(stream, entry);
      const sequences = await this.#log.appendToShard(stream, shard, [entry], ops);
      const sequence = sequences?.[0];
      if (sequence !== undefined) return sequence;
      if (stream.deleted)
        throw new LambdaliteError('ResourceNotFoundException', `the stream ${stream.meta.arn} was deleted`);
    }
  }

  /** The item's size, refusing one over DynamoDB's limit. */
  #checkSize(image: AttributeMap): number {
    const size = itemSize(image);
    if (size > ITEM_MAX_BYTES) {
      throw new LambdaliteError(
        'ValidationException',
        `Item size has exceeded the maximum allowed size: ${size} bytes, the limit is ${ITEM_MAX_BYTES}`,
      );
    }
    return size;
  }

  #table(name: string): TableMeta {
    const meta = typeof name === 'string' ? this.#tables.get(name) : undefined;
    if (!meta) throw notFound(name);
    return meta;
  }
}

function describeTable(m: TableMeta): TableDescription {
  return {
    tableName: m.name,
    tableArn: m.arn,
    tableStatus: 'ACTIVE',
    partitionKey: m.partitionKey,
    ...(m.sortKey ? { sortKey: m.sortKey } : {}),
    creationDateTime: new Date(m.createdAt),
    ...(m.streamViewType ? { streamViewType: m.streamViewType } : {}),
    ...(m.streamArn ? { latestStreamArn: m.streamArn, latestStreamLabel: m.streamLabel } : {}),
  };
}

function notFound(name: unknown): LambdaliteError {
  return new LambdaliteError(
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${typeof name === 'string' ? name : showValue(name)} not found`,
  );
}
