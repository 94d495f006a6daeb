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
 * TEXT   := text                 START, END := requestId:text
 * REPORT := requestId:text durationMs:f64 billedMs:u32 memoryMb:u32 maxMemoryMb:u32
 * REPORT_INIT := REPORT initDurationMs:f64
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

/** Bytes of the fixed text of a REPORT line around its requestId and figures. */
const REPORT_FIXED =
  'REPORT RequestId: \tDuration:  ms\tBilled Duration:  ms\tMemory Size:  MB\tMax Memory Used:  MB\t'.length;
const INIT_FIXED = 'Init Duration:  ms\t'.length;
const START_FIXED = startLine('').length;
const END_FIXED = endLine('').length;
const INITIAL_BYTES = 4096;

function digits(n: number): number {
  return String(n).length;
}

/** One stream's lines of the current window, encoded as they arrive. */
export class ChunkBuilder {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  #at = HEADER;
  /** CloudWatch size of the events so far. */
  eventBytes = 0;
  /** Events so far. */
  count = 0;
  /** Timestamp of the first event. */
  firstTs = 0;

  text(ts: number, message: string): void {
    this.#event(Kind.Text, ts, 3 * message.length + 4);
    this.eventBytes += this.#text(message) + EVENT_OVERHEAD;
  }

  start(ts: number, requestId: string): void {
    this.#event(Kind.Start, ts, 3 * requestId.length + 4);
    this.eventBytes += this.#text(requestId) + START_FIXED + EVENT_OVERHEAD;
  }

  end(ts: number, requestId: string): void {
    this.#event(Kind.End, ts, 3 * requestId.length + 4);
    this.eventBytes += this.#text(requestId) + END_FIXED + EVENT_OVERHEAD;
  }

  report(ts: number, requestId: string, f: ReportFigures): void {
    const init = f.initDurationMs;
    this.#event(init === undefined ? Kind.Report : Kind.ReportInit, ts, 3 * requestId.length + 32);
    let bytes = this.#text(requestId) + REPORT_FIXED + EVENT_OVERHEAD;
    const buf = this.#buf;
    let at = this.#at;
    at = buf.writeDoubleLE(f.durationMs, at);
    at = buf.writeUInt32LE(f.billedDurationMs, at);
    at = buf.writeUInt32LE(f.memorySizeMb, at);
    at = buf.writeUInt32LE(f.maxMemoryUsedMb, at);
    bytes +=
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

  /** The window's value, exactly sized; the builder is spent. */
  finish(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#at);
    this.#buf.copy(out, 0, 0, this.#at);
    out[0] = VERSION;
    out.writeUInt32LE(this.eventBytes, 1);
    return out;
  }

  /** Starts an event: room for its header and `room` more bytes. */
  #event(kind: Kind, ts: number, room: number): void {
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
    const bytes = this.#buf.write(text, at + 4, 'utf8');
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
  while (at < value.length) {
    const kind = value[at] as Kind;
    const ts = value.readDoubleLE(at + 1);
    at += 9;
    let message: string;
    switch (kind) {
      case Kind.Text:
        message = text();
        break;
      case Kind.Start:
        message = startLine(text());
        break;
      case Kind.End:
        message = endLine(text());
        break;
      case Kind.Report:
      case Kind.ReportInit: {
        const requestId = text();
        const figures: ReportFigures = {
          durationMs: value.readDoubleLE(at),
          billedDurationMs: value.readUInt32LE(at + 8),
          memorySizeMb: value.readUInt32LE(at + 12),
          maxMemoryUsedMb: value.readUInt32LE(at + 16),
        };
        at += 20;
        if (kind === Kind.ReportInit) {
          figures.initDurationMs = value.readDoubleLE(at);
          at += 8;
        }
        message = reportLine(requestId, figures);
        break;
      }
      default:
        throw new Error(`unknown log event kind ${kind as number} in a stored chunk`);
    }
    out.push(ts, message);
  }
  return out;
}

/** The bytes a stored window adds to `storedBytes` (a JSON window of older engines: its length). */
export function chunkEventBytes(value: Buffer): number {
  return value[0] === VERSION ? value.readUInt32LE(1) : value.length;
}
