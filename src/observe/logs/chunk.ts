/**
 * The stored form of a flush window's lines of one stream: one binary value per window, encoded
 * in one pass when the window is stored (no JSON of the window). The text format's platform
 * lines (START / END / REPORT) are stored as records and rendered only when read, with the same
 * functions the runtime formats them with, so a read returns exactly the text the runtime would
 * have written.
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
/** Entries a window notes before its arrays grow (they double as needed). */
const INITIAL_ENTRIES = 1024;
/** A buffer grown past this is not kept for the next window. */
const KEEP_BYTES = 1024 * 1024;

/**
 * `value.toFixed(2).length` for a duration (non-negative, below 1e21) without building the
 * string: the integer part's digits plus three, unless rounding the fraction may carry into a
 * new digit (an integer part of nines and a fraction from .99), which `toFixed` then settles.
 */
function fixed2Length(value: number): number {
  const whole = Math.floor(value);
  if (value - whole < 0.99 || digits(whole + 1) === digits(whole)) return digits(whole) + 3;
  return value.toFixed(2).length;
}

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
 * One stream's lines of the current window. A line is only noted as it arrives (its kind and
 * time in typed arrays, its text or requestId and REPORT figures by reference): the invocation's
 * hot path does no encoding, no UTF-8 write and no size arithmetic. The lines noted are encoded
 * later ({@link ChunkBuilder.settle}, after the I/O phase that noted them, or when the window is
 * stored or its size asked for), into a buffer reused from window to window (only
 * {@link ChunkBuilder.finish}'s exactly sized copy is stored).
 */
export class ChunkBuilder {
  #buf: Buffer | undefined;
  /** Per entry: its kind (Text, Start, or End for END + REPORT), time and text or requestId. */
  #kinds = new Uint8Array(INITIAL_ENTRIES);
  #times = new Float64Array(INITIAL_ENTRIES);
  readonly #texts: string[] = [];
  /** The REPORT figures of End entries, by entry index. */
  readonly #figures: Array<ReportFigures | undefined> = [];
  #entries = 0;
  /** Where the next encoded event goes in `#buf` (the header comes first). */
  #at = HEADER;
  /** CloudWatch size of the events encoded so far. */
  #eventBytes = 0;
  /** Entries encoded into `#buf` so far. */
  #encoded = 0;
  /** The requestId of the last platform record encoded, and its bytes. */
  #lastId: string | undefined;
  #lastIdBytes = 0;
  /** Events so far (END + REPORT count two). */
  count = 0;
  /** UTF-16 length of the text lines so far (the writer bounds a window's size with it). */
  textLength = 0;
  /** Timestamp of the first event. */
  firstTs = 0;

  /** `spare`: the buffer of an earlier, finished window, to encode into again. */
  constructor(spare?: Buffer) {
    this.#buf = spare;
  }

  text(ts: number, message: string): void {
    this.#note(Kind.Text, ts, message, undefined);
    this.count++;
    this.textLength += message.length;
  }

  start(ts: number, requestId: string): void {
    this.#note(Kind.Start, ts, requestId, undefined);
    this.count++;
  }

  /** The END and REPORT lines of one invocation, at the same time. */
  end(ts: number, requestId: string, figures: ReportFigures): void {
    this.#note(Kind.End, ts, requestId, figures);
    this.count += 2;
  }

  /**
   * Encodes the lines noted so far (the writer calls it once the I/O phase that noted them is
   * over, so a flush has little left to encode); {@link ChunkBuilder.finish} encodes the rest.
   */
  settle(): void {
    this.#encode();
  }

  /** CloudWatch size of the events so far. */
  get eventBytes(): number {
    this.#encode();
    return this.#eventBytes;
  }

  /** The window's value, exactly sized. */
  finish(): Buffer {
    this.#encode();
    const buf = this.#buf as Buffer;
    buf[0] = VERSION;
    buf.writeUInt32LE(this.#eventBytes, 1);
    const out = Buffer.allocUnsafeSlow(this.#at);
    buf.copy(out, 0, 0, this.#at);
    return out;
  }

  /** The buffer, for the next window's builder (undefined when it grew too large to keep). */
  release(): Buffer | undefined {
    const buf = this.#buf;
    return buf !== undefined && buf.length <= KEEP_BYTES ? buf : undefined;
  }

  #note(kind: Kind, ts: number, text: string, figures: ReportFigures | undefined): void {
    const i = this.#entries;
    if (i === 0) this.firstTs = ts;
    if (i === this.#kinds.length) {
      const kinds = new Uint8Array(2 * i);
      kinds.set(this.#kinds);
      this.#kinds = kinds;
      const times = new Float64Array(2 * i);
      times.set(this.#times);
      this.#times = times;
    }
    this.#kinds[i] = kind;
    this.#times[i] = ts;
    this.#texts[i] = text;
    this.#figures[i] = figures;
    this.#entries = i + 1;
  }

  /** Encodes the entries noted since the last call. */
  #encode(): void {
    const entries = this.#entries;
    if (this.#encoded === entries) {
      this.#buf ??= Buffer.allocUnsafe(INITIAL_BYTES);
      return;
    }
    const kinds = this.#kinds;
    const times = this.#times;
    const texts = this.#texts;
    let bytes = this.#eventBytes;
    for (let i = this.#encoded; i < entries; i++) {
      const kind = kinds[i] as Kind;
      const ts = times[i] as number;
      const text = texts[i] as string;
      if (kind === Kind.Text) {
        this.#event(Kind.Text, ts, 3 * text.length + 4);
        bytes += this.#text(text) + EVENT_OVERHEAD;
      } else if (kind === Kind.Start) {
        bytes += this.#record(Kind.Start, ts, text, 0) + START_FIXED + EVENT_OVERHEAD;
      } else {
        bytes += this.#endReport(ts, text, this.#figures[i] as ReportFigures);
      }
    }
    this.#eventBytes = bytes;
    this.#encoded = entries;
  }

  /** Encodes END and REPORT; returns their CloudWatch size. */
  #endReport(ts: number, requestId: string, f: ReportFigures): number {
    const idBytes = this.#record(Kind.End, ts, requestId, 0);
    const init = f.initDurationMs;
    this.#record(init === undefined ? Kind.Report : Kind.ReportInit, ts, requestId, 28);
    const buf = this.#buf as Buffer;
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
      fixed2Length(f.durationMs) +
      digits(f.billedDurationMs) +
      digits(f.memorySizeMb) +
      digits(f.maxMemoryUsedMb);
    if (init !== undefined) {
      at = buf.writeDoubleLE(init, at);
      bytes += INIT_FIXED + fixed2Length(init);
    }
    this.#at = at;
    return bytes;
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
    const need = this.#at + 9 + room;
    let buf = this.#buf;
    if (buf === undefined || need > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, INITIAL_BYTES, 2 * (buf?.length ?? 0)));
      buf?.copy(grown, 0, 0, this.#at);
      this.#buf = buf = grown;
    }
    buf[this.#at] = kind;
    this.#at = buf.writeDoubleLE(ts, this.#at + 1);
  }

  /** Writes a length-prefixed UTF-8 text (room checked by the caller); returns its bytes. */
  #text(text: string): number {
    const buf = this.#buf as Buffer;
    const at = this.#at;
    const bytes = buf.write(text, at + 4);
    buf.writeUInt32LE(bytes, at);
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
