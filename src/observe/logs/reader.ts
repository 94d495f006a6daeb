/**
 * Reads events back from their chunks (catalog.ts): one stream forward or backward from a
 * position, in key order with `nextv`, a chunk at a time.
 */
import type { Sub } from '../../storage/storage.js';
import { POSITION_WIDTH, position } from './catalog.js';
import { decodeChunk } from './chunk.js';

export interface StoredEvent {
  ts: number;
  seq: number;
  /** `<ts:16><seq:10>`. */
  pos: string;
  message: string;
}

const CHUNKS_PER_READ = 64;
/** Above the `<` of every position: the end of a stream's key range. */
const STREAM_END = '\x01';

function explode(key: string, value: Buffer, prefixLength: number): StoredEvent[] {
  const first = key.slice(prefixLength);
  let seq = Number(first.slice(POSITION_WIDTH - 10));
  const flat = decodeChunk(value);
  const events: StoredEvent[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const ts = flat[i] as number;
    events.push({ ts, seq, pos: position(ts, seq), message: flat[i + 1] as string });
    seq++;
  }
  return events;
}

/** Events of the stream at `prefix` with a position >= `from`, oldest first. */
export async function* readForward(
  events: Sub<Buffer>,
  prefix: string,
  from: string,
): AsyncGenerator<StoredEvent> {
  // The chunk holding `from` starts at or before it.
  let start = prefix + from;
  for await (const key of events.keys({ lte: prefix + from, gte: prefix, reverse: true, limit: 1 }))
    start = key;
  const iterator = events.iterator({ gte: start, lt: prefix.slice(0, -1) + STREAM_END });
  try {
    for (;;) {
      const entries = await iterator.nextv(CHUNKS_PER_READ);
      if (entries.length === 0) return;
      for (const [key, value] of entries) {
        for (const event of explode(key, value, prefix.length)) if (event.pos >= from) yield event;
      }
    }
  } finally {
    await iterator.close();
  }
}

/** Events of the stream at `prefix` with a position < `before`, newest first. */
export async function* readBackward(
  events: Sub<Buffer>,
  prefix: string,
  before: string,
): AsyncGenerator<StoredEvent> {
  const iterator = events.iterator({ gte: prefix, lt: prefix + before, reverse: true });
  try {
    for (;;) {
      const entries = await iterator.nextv(CHUNKS_PER_READ);
      if (entries.length === 0) return;
      for (const [key, value] of entries) {
        const chunk = explode(key, value, prefix.length);
        for (let i = chunk.length - 1; i >= 0; i--) {
          const event = chunk[i] as StoredEvent;
          if (event.pos < before) yield event;
        }
      }
    }
  } finally {
    await iterator.close();
  }
}
