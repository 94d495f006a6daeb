/**
 * The stored form of a flush window's lines of one stream: one binary value per window, built
 * line by line as they arrive (no per-line string kept, no JSON of the window). The text
 * format's platform lines (START / END / REPORT) are stored as records and rendered only when
 * read, with the same functions the runtime formats them with, so a read returns exactly the
 * text the runtime would have written.
 *
 * ```
 * chunk  := 0x01 eventBytes:u32 event*
 * event  := kind:u8 ts:f64 fields
 * TEXT   := text                 START, END := requestId
 * REPORT := requestId durationMs:f64 billedMs:u32 memoryMb:u32 maxMemoryMb:u32
 * REPORT_INIT := REPORT initDurationMs:f64
 * requestId := text, or nothing when the kind has bit 0x80 (the previous record's id)
 * text   := byteLength:u32 utf8
 * ```
 * `eventBytes` is the size of the window's events as CloudWatch counts them (each message's
 * UTF-8 bytes plus 26), what `storedBytes` adds up. Values written before this encoding are the
 * JSON array `[ts, message, ...]` (first byte `[`); they are still read.
 */
import { endLine, type ReportFigures, reportLine, startLine } from '../../runtime/log-lines.js';

const VERSION = 1;
const HEADER = 5;
/** CloudWatch counts each event as its message's UTF-8 bytes plus this. */
export const EVENT_OVERHEAD = 26;

enum Kind {
  Text = 0,
  Start = 1,
  End = 2,
  Report = 3,
  ReportInit = 4,
}
/** Set on a platform record whose requestId is the previous record's (it is not repeated). */
const SAME_ID = 0x80;

/** Bytes of the fixed text of a REPORT line around its requestId and figures. */
const REPORT_FIXED =
  'REPORT RequestId: \tDuration:  ms\tBilled Duration:  ms\tMemory Size:  MB\tMax Memory Used:  MB\t'.length;
const INIT_FIXED = 'Init Duration:  ms\t'.length;
const START_FIXED = startLine('').length;
const END_FIXED = endLine('').length;
/** A first window's room; a builder's buffer is handed to the next window's (see `spare`). */
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this is not kept for the next window. */
const KEEP_BYTES = 1024 * 1024;

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/**
 * One stream's lines of the current window, encoded as they arrive into a buffer reused from
 * window to window (only {@link ChunkBuilder.finish}'s exactly sized copy is stored).
 */
export class ChunkBuilder {
  #buf: Buffer;
  #at = HEADER;
  /** The requestId of the last platform record, and its bytes. */
  #lastId: string | undefined;
  #lastIdBytes = 0;
  /** CloudWatch size of the events so far. */
  eventBytes = 0;
  /** Events so far. */
  count = 0;
  /** Timestamp of the first event. */
  firstTs = 0;

  /** `spare`: the buffer of an earlier, finished window, to write into again. */
  constructor(spare?: Buffer) {
    this.#buf = spare ?? Buffer.allocUnsafe(INITIAL_BYTES);
  }

  text(ts: number, message: string): void {
    this.#event(Kind.Text, ts, 3 * message.length + 4);
    this.eventBytes += this.#text(message) + EVENT_OVERHEAD;
  }

  start(ts: number, requestId: string): void {
    this.eventBytes += this.#record(Kind.Start, ts, requestId, 0) + START_FIXED + EVENT_OVERHEAD;
  }

  /** The END and REPORT lines of one invocation, at the same time. */
  end(ts: number, requestId: string, f: ReportFigures): void {
    const idBytes = this.#record(Kind.End, ts, requestId, 0);
    const init = f.initDurationMs;
    this.#record(init === undefined ? Kind.Report : Kind.ReportInit, ts, requestId, 28);
    const buf = this.#buf;
    let at = this.#at;
    at = buf.writeDoubleLE(f.durationMs, at);
    at = buf.writeUInt32LE(f.billedDurationMs, at);
    at = buf.writeUInt32LE(f.memorySizeMb, at);
    at = buf.writeUInt32LE(f.maxMemoryUsedMb, at);
    let bytes =
      idBytes +
      END_FIXED +
      idBytes +
      REPORT_FIXED +
      2 * EVENT_OVERHEAD +
      f.durationMs.toFixed(2).length +
      digits(f.billedDurationMs) +
      digits(f.memorySizeMb) +
      digits(f.maxMemoryUsedMb);
    if (init !== undefined) {
      at = buf.writeDoubleLE(init, at);
      bytes += INIT_FIXED + init.toFixed(2).length;
    }
    this.#at = at;
    this.eventBytes += bytes;
  }

  /** The window's value, exactly sized. */
  finish(): Buffer {
    const buf = this.#buf;
    buf[0] = VERSION;
    buf.writeUInt32LE(this.eventBytes, 1);
    const out = Buffer.allocUnsafeSlow(this.#at);
    buf.copy(out, 0, 0, this.#at);
    return out;
  }

  /** The buffer, for the next window's builder (undefined when it grew too large to keep). */
  release(): Buffer | undefined {
    return this.#buf.length <= KEEP_BYTES ? this.#buf : undefined;
  }

  /** A platform record with its requestId (written unless it is the previous record's); its bytes. */
  #record(kind: Kind, ts: number, requestId: string, room: number): number {
    if (requestId === this.#lastId) {
      this.#event(kind | SAME_ID, ts, room);
      return this.#lastIdBytes;
    }
    this.#event(kind, ts, 3 * requestId.length + 4 + room);
    const bytes = this.#text(requestId);
    this.#lastId = requestId;
    this.#lastIdBytes = bytes;
    return bytes;
  }

  /** Starts an event: room for its header and `room` more bytes. */
  #event(kind: number, ts: number, room: number): void {
    if (this.count++ === 0) this.firstTs = ts;
    const need = this.#at + 9 + room;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.#buf.length));
      this.#buf.copy(grown, 0, 0, this.#at);
      this.#buf = grown;
    }
    this.#buf[this.#at] = kind;
    this.#at = this.#buf.writeDoubleLE(ts, this.#at + 1);
  }

  /** Writes a length-prefixed UTF-8 text (room checked by the caller); returns its bytes. */
  #text(text: string): number {
    const at = this.#at;
    const bytes = this.#buf.write(text, at + 4);
    this.#buf.writeUInt32LE(bytes, at);
    this.#at = at + 4 + bytes;
    return bytes;
  }
}

/** A stored window's events, `[ts, message, ts, message, ...]`, rendered as the runtime writes them. */
export function decodeChunk(value: Buffer): Array<number | string> {
  if (value[0] !== VERSION) return JSON.parse(value.toString('utf8')) as Array<number | string>;
  const out: Array<number | string> = [];
  let at = HEADER;
  const text = (): string => {
    const bytes = value.readUInt32LE(at);
    const s = value.toString('utf8', at + 4, at + 4 + bytes);
    at += 4 + bytes;
    return s;
  };
  let lastId = '';
  const id = (kind: number): string => {
    if ((kind & SAME_ID) === 0) lastId = text();
    return lastId;
  };
  while (at < value.length) {
    const kind = value[at] as number;
    const ts = value.readDoubleLE(at + 1);
    at += 9;
    let message: string;
    switch (kind & ~SAME_ID) {
      case Kind.Text:
        message = text();
        break;
      case Kind.Start:
        message = startLine(id(kind));
        break;
      case Kind.End:
        message = endLine(id(kind));
        break;
      case Kind.Report:
      case Kind.ReportInit: {
        const requestId = id(kind);
        const figures: ReportFigures = {
          durationMs: value.readDoubleLE(at),
          billedDurationMs: value.readUInt32LE(at + 8),
          memorySizeMb: value.readUInt32LE(at + 12),
          maxMemoryUsedMb: value.readUInt32LE(at + 16),
        };
        at += 20;
        if ((kind & ~SAME_ID) === Kind.ReportInit) {
          figures.initDurationMs = value.readDoubleLE(at);
          at += 8;
        }
        message = reportLine(requestId, figures);
        break;
      }
      default:
        throw new Error(`unknown log event kind ${kind} in a stored chunk`);
    }
    out.push(ts, message);
  }
  return out;
}

/** The bytes a stored window adds to `storedBytes` (a JSON window of older engines: its length). */
export function chunkEventBytes(value: Buffer): number {
  return value[0] === VERSION ? value.readUInt32LE(1) : value.length;
}
