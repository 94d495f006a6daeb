/**
 * Log lines shared between engine processes (a clustered backend's feed): each flush of the
 * writer publishes the chunks it stored, and every other process stores them under the same
 * keys (`<group>\0<stream>\0<position>`), creating the group and stream when new. Stream names
 * are per container (a date and a random id, as Lambda's), so two processes never write one
 * stream; the read operations (filter, getLogEvents, describe*) then see every process's lines.
 */
import type { Clock } from '../../clock.js';
import { type BatchOp, putJsonTextOp, putOp } from '../../storage/storage.js';
import { type FeedDelivery, MAX_FEED_PAYLOAD } from '../shared-feed.js';
import { LogCatalog, position, type StreamState } from './catalog.js';
import { ChunkBuilder } from './chunk.js';
import type { WriteQueue } from './write-queue.js';

/** One stored chunk: its stream, its first line's sequence number, `[ts, message, ...]`. */
export interface SharedChunk {
  readonly stream: StreamState;
  readonly seq: number;
  readonly lines: ReadonlyArray<number | string>;
}

/** Payload entries: group, stream, first sequence number, `[ts, message, ...]`. */
type Entry = [string, string, number, Array<number | string>];

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Room left in a payload for the entry framing and the group and stream names. */
const FRAMING = 4096;

/** One flush's chunks as payloads the feed carries (a chunk split by lines if needed). */
export function chunkPayloads(chunks: readonly SharedChunk[]): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let entries: Entry[] = [];
  let size = 0;
  const send = (): void => {
    if (entries.length === 0) return;
    payloads.push(encoder.encode(JSON.stringify(entries)));
    entries = [];
    size = 0;
  };
  for (const { stream, seq, lines } of chunks) {
    const base = Buffer.byteLength(stream.group.name) + Buffer.byteLength(stream.name) + 64;
    let part: Array<number | string> = [];
    let partSeq = seq;
    let partSize = base;
    for (let i = 0; i < lines.length; i += 2) {
      const lineSize = Buffer.byteLength(JSON.stringify(lines[i + 1])) + 24;
      if (part.length > 0 && size + partSize + lineSize > MAX_FEED_PAYLOAD - FRAMING) {
        entries.push([stream.group.name, stream.name, partSeq, part]);
        send();
        partSeq += part.length / 2;
        part = [];
        partSize = base;
      }
      part.push(lines[i] as number, lines[i + 1] as string);
      partSize += lineSize;
    }
    if (part.length > 0) {
      entries.push([stream.group.name, stream.name, partSeq, part]);
      size += partSize;
    }
  }
  send();
  return payloads;
}

export interface ApplyLogsDeps {
  readonly catalog: LogCatalog;
  readonly queue: WriteQueue;
  readonly clock: Clock;
  /** Retention of groups this process has not seen yet, days. */
  readonly retentionInDays: number | undefined;
  /** A stream received its first event at `ts` (retention schedules its sweep). */
  onFirstEvent(stream: StreamState, ts: number): void;
}

/** Stores another process's chunks and the feed position in one batch. */
export async function applyShared(deps: ApplyLogsDeps, delivery: FeedDelivery): Promise<void> {
  const ops: BatchOp[] = [];
  const touched = new Set<StreamState>();
  for (const [groupName, streamName, seq, lines] of parse(delivery.payload)) {
    const first = lines[0] as number;
    const stream = deps.catalog.stream(groupName, streamName, first, deps.retentionInDays);
    const group = stream.group;
    if (!group.persisted) {
      group.persisted = true;
      ops.push(putOp(deps.catalog.groupsDb, group.name, { ...group.meta }));
    }
    // Stored in this engine's own window format, so its size counts and reads match local windows.
    const chunk = new ChunkBuilder();
    const meta = stream.meta;
    for (let i = 0; i < lines.length; i += 2) {
      const ts = lines[i] as number;
      chunk.text(ts, lines[i + 1] as string);
      if (meta.firstEventTimestamp === undefined || ts < meta.firstEventTimestamp) {
        meta.firstEventTimestamp = ts;
        deps.onFirstEvent(stream, ts);
      }
      if (meta.lastEventTimestamp === undefined || ts > meta.lastEventTimestamp) meta.lastEventTimestamp = ts;
    }
    meta.storedBytes += chunk.eventBytes;
    meta.lastIngestionTime = meta.lastEventTimestamp;
    meta.nextSeq = Math.max(meta.nextSeq, seq + lines.length / 2);
    ops.push(putOp(deps.catalog.eventsDb, stream.prefix + position(first, seq), chunk.finish()));
    touched.add(stream);
  }
  for (const stream of touched) {
    ops.push(
      putJsonTextOp(deps.catalog.streamsDb, LogCatalog.streamKey(stream), JSON.stringify(stream.meta)),
    );
  }
  ops.push(delivery.positionOp);
  deps.queue.write(ops);
  await deps.queue.settled();
}

/** The payload's well-formed entries (a malformed payload only moves the position past it). */
function parse(bytes: Uint8Array): Entry[] {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter(
    (e): e is Entry =>
      Array.isArray(e) &&
      typeof e[0] === 'string' &&
      e[0] !== '' &&
      typeof e[1] === 'string' &&
      e[1] !== '' &&
      Number.isInteger(e[2]) &&
      e[2] >= 0 &&
      Array.isArray(e[3]) &&
      e[3].length >= 2 &&
      e[3].length % 2 === 0 &&
      e[3].every((x: unknown, i: number) => (i % 2 === 0 ? Number.isFinite(x) : typeof x === 'string')),
  );
}
