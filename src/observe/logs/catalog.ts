/**
 * Log groups and streams: their metadata in memory (loaded once at open, bounded by retention)
 * and in two sublevels, and the key layout of the events sublevel.
 *
 * Events are stored in chunks: all lines a stream received in one flush window are one LevelDB
 * value (chunk.ts) under `<group>\0<stream>\0<position>`, where the
 * position (`<ts:16><seq:10>`) is that of the chunk's first event and the others follow with
 * consecutive sequence numbers. Key order is time order, so a range read gives a stream's events
 * in order and a range delete drops everything before a time.
 */
import { encodeUint, SEP } from '../../storage/keys.js';
import type { Storage, Sub } from '../../storage/storage.js';
import type { ChunkBuilder } from './chunk.js';

export interface GroupMeta {
  creationTime: number;
  retentionInDays?: number;
}

export interface StreamMeta {
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
  /** Sequence number of the stream's next event (orders events of one millisecond). */
  nextSeq: number;
}

export interface GroupState {
  readonly name: string;
  meta: GroupMeta;
  readonly streams: Map<string, StreamState>;
  /** Its metadata has been written (a group appears with its first flushed event). */
  persisted: boolean;
  /** Deleted: writers of its streams start a new group on their next line. */
  removed: boolean;
}

export interface StreamState {
  readonly group: GroupState;
  readonly name: string;
  meta: StreamMeta;
  /** Digits that make event ids unique across the group's streams. */
  readonly tag: string;
  /** `<group>\0<stream>\0`: the prefix of the stream's event keys. */
  readonly prefix: string;
  /** Lines received since the last flush, encoded (undefined: none). */
  buffer: ChunkBuilder | undefined;
  /** Sequence number of the first buffered line. */
  bufferSeq: number;
  removed: boolean;
}

const TS_WIDTH = 16;
const SEQ_WIDTH = 10;
export const POSITION_WIDTH = TS_WIDTH + SEQ_WIDTH;
/** A position after every event. */
export const POSITION_END = '9'.repeat(POSITION_WIDTH);

/** `<ts:16><seq:10>`: orders a stream's events by time, then arrival. */
export function position(ts: number, seq: number): string {
  return encodeUint(ts, TS_WIDTH) + encodeUint(seq, SEQ_WIDTH);
}

export function positionTime(pos: string): number {
  return Number(pos.slice(0, TS_WIDTH));
}

export function positionSeq(pos: string): number {
  return Number(pos.slice(TS_WIDTH));
}

/** The position after `pos` and the one before it (clamped at zero). */
export function nextPosition(pos: string): string {
  return (BigInt(pos) + 1n).toString().padStart(POSITION_WIDTH, '0');
}

export function previousPosition(pos: string): string {
  const n = BigInt(pos);
  return (n > 0n ? n - 1n : 0n).toString().padStart(POSITION_WIDTH, '0');
}

export const isPosition = (text: string): boolean => text.length === POSITION_WIDTH && /^\d+$/.test(text);

/** FNV-1a of the name as 10 digits. */
function tagOf(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString().padStart(10, '0');
}

export class LogCatalog {
  readonly #groups = new Map<string, GroupState>();
  readonly groupsDb: Sub<GroupMeta>;
  readonly streamsDb: Sub<StreamMeta>;
  readonly eventsDb: Sub<Buffer>;

  private constructor(storage: Storage) {
    this.groupsDb = storage.sublevel<GroupMeta>('logs-groups');
    this.streamsDb = storage.sublevel<StreamMeta>('logs-streams');
    this.eventsDb = storage.sublevel<Buffer>('logs-events', 'buffer');
  }

  static async open(storage: Storage): Promise<LogCatalog> {
    const catalog = new LogCatalog(storage);
    for await (const [name, meta] of catalog.groupsDb.iterator()) {
      catalog.#groups.set(name, newGroup(name, meta, true));
    }
    for await (const [key, meta] of catalog.streamsDb.iterator()) {
      const sep = key.indexOf(SEP);
      const group = catalog.#groups.get(key.slice(0, sep));
      if (group) addStream(group, key.slice(sep + 1), meta);
    }
    return catalog;
  }

  get(name: string): GroupState | undefined {
    return this.#groups.get(name);
  }

  groups(): IterableIterator<GroupState> {
    return this.#groups.values();
  }

  /** The stream, created (with its group) when missing or deleted. Written with its first flush. */
  stream(
    groupName: string,
    streamName: string,
    now: number,
    retentionInDays: number | undefined,
  ): StreamState {
    let group = this.#groups.get(groupName);
    if (!group) {
      const meta: GroupMeta = { creationTime: now };
      if (retentionInDays !== undefined) meta.retentionInDays = retentionInDays;
      group = newGroup(groupName, meta, false);
      this.#groups.set(groupName, group);
    }
    return (
      group.streams.get(streamName) ??
      addStream(group, streamName, { creationTime: now, storedBytes: 0, nextSeq: 0 })
    );
  }

  /** Forgets the group and its streams; the caller deletes their keys. */
  remove(group: GroupState): void {
    group.removed = true;
    for (const stream of group.streams.values()) stream.removed = true;
    this.#groups.delete(group.name);
  }

  /** Forgets one stream; the caller deletes its keys. */
  removeStream(stream: StreamState): void {
    stream.removed = true;
    stream.group.streams.delete(stream.name);
  }

  static streamKey(stream: StreamState): string {
    return stream.group.name + SEP + stream.name;
  }
}

function newGroup(name: string, meta: GroupMeta, persisted: boolean): GroupState {
  return { name, meta, streams: new Map(), persisted, removed: false };
}

function addStream(group: GroupState, name: string, meta: StreamMeta): StreamState {
  const stream: StreamState = {
    group,
    name,
    meta,
    tag: tagOf(name),
    prefix: group.name + SEP + name + SEP,
    buffer: undefined,
    bufferSeq: 0,
    removed: false,
  };
  group.streams.set(name, stream);
  return stream;
}
