import { describe, expect, it } from 'vitest';
import { ChunkBuilder, chunkEventBytes, decodeChunk, EVENT_OVERHEAD } from '../../src/observe/logs/chunk.js';
import { endLine, type ReportFigures, reportLine, startLine } from '../../src/runtime/log-lines.js';

const ID = '8f5c0e3e-2b7a-4d0e-9a51-2f0c6f1d7e11';
const bytes = (lines: string[]): number =>
  lines.reduce((sum, l) => sum + Buffer.byteLength(l) + EVENT_OVERHEAD, 0);

describe('a stored window of log lines', () => {
  it('reads back the exact text of each line, platform records rendered as the runtime writes them', () => {
    const cold: ReportFigures = {
      durationMs: 9.995,
      billedDurationMs: 10,
      memorySizeMb: 128,
      maxMemoryUsedMb: 61,
      initDurationMs: 123.456,
    };
    const warm: ReportFigures = {
      durationMs: 0.04,
      billedDurationMs: 1,
      memorySizeMb: 10240,
      maxMemoryUsedMb: 9,
    };
    const chunk = new ChunkBuilder();
    chunk.start(1000, ID);
    chunk.text(1000.5, '2026-01-01T00:00:00.000Z\tid\tINFO\thé \t "quoted" ✓ 𝄞');
    chunk.end(1001, ID, cold);
    chunk.text(2000, '');
    chunk.start(2000, 'ünïcode-id');
    chunk.end(2002, 'ünïcode-id', warm);
    chunk.start(2003, ID);
    const expected = [
      1000,
      startLine(ID),
      1000.5,
      '2026-01-01T00:00:00.000Z\tid\tINFO\thé \t "quoted" ✓ 𝄞',
      1001,
      endLine(ID),
      1001,
      reportLine(ID, cold),
      2000,
      '',
      2000,
      startLine('ünïcode-id'),
      2002,
      endLine('ünïcode-id'),
      2002,
      reportLine('ünïcode-id', warm),
      2003,
      startLine(ID),
    ];
    const value = chunk.finish();
    expect(decodeChunk(value)).toEqual(expected);
    expect(chunk.count).toBe(9);
    expect(chunk.firstTs).toBe(1000);
    // storedBytes counts events as CloudWatch does: UTF-8 bytes of each message + 26.
    const messages = expected.filter((x): x is string => typeof x === 'string');
    expect(chunk.eventBytes).toBe(bytes(messages));
    expect(chunkEventBytes(value)).toBe(bytes(messages));
  });

  it('counts the text of REPORT figures of every width', () => {
    for (const durationMs of [
      0, 0.004, 0.005, 0.995, 0.999, 9.994, 9.995, 9.9951, 99.99, 99.999, 999.995, 1234.5, 899_999.99,
      999_999.999,
    ]) {
      for (const initDurationMs of [undefined, 0.1, 999.999]) {
        const figures: ReportFigures = {
          durationMs,
          billedDurationMs: 900_000,
          memorySizeMb: 64,
          maxMemoryUsedMb: 1,
        };
        if (initDurationMs !== undefined) figures.initDurationMs = initDurationMs;
        const chunk = new ChunkBuilder();
        chunk.end(0, ID, figures);
        expect(chunk.eventBytes).toBe(bytes([endLine(ID), reportLine(ID, figures)]));
        expect(decodeChunk(chunk.finish())).toEqual([0, endLine(ID), 0, reportLine(ID, figures)]);
      }
    }
  });

  it('keeps its size and lines right when asked for its size between lines', () => {
    const chunk = new ChunkBuilder();
    const figures: ReportFigures = {
      durationMs: 1.5,
      billedDurationMs: 2,
      memorySizeMb: 128,
      maxMemoryUsedMb: 60,
    };
    chunk.start(1, ID);
    expect(chunk.eventBytes).toBe(bytes([startLine(ID)]));
    chunk.end(2, ID, figures);
    chunk.text(3, 'après');
    expect(chunk.eventBytes).toBe(bytes([startLine(ID), endLine(ID), reportLine(ID, figures), 'après']));
    chunk.start(4, ID);
    expect(decodeChunk(chunk.finish())).toEqual([
      1,
      startLine(ID),
      2,
      endLine(ID),
      2,
      reportLine(ID, figures),
      3,
      'après',
      4,
      startLine(ID),
    ]);
    expect(chunk.count).toBe(5);
  });

  it('grows past its first buffer for long lines', () => {
    const chunk = new ChunkBuilder();
    const long = 'é'.repeat(50_000);
    for (let i = 0; i < 3; i++) chunk.text(i, long);
    // More entries than its arrays first hold.
    for (let i = 0; i < 600; i++) chunk.text(3 + i, `line ${i}`);
    const expected: Array<number | string> = [0, long, 1, long, 2, long];
    for (let i = 0; i < 600; i++) expected.push(3 + i, `line ${i}`);
    expect(decodeChunk(chunk.finish())).toEqual(expected);
  });

  it('keeps a stored window intact when the next window writes into the same buffer', () => {
    const first = new ChunkBuilder();
    first.start(1, 'first-id');
    const stored = first.finish();
    const second = new ChunkBuilder(first.release());
    second.start(2, 'other-id');
    second.text(3, 'x'.repeat(100));
    expect(decodeChunk(stored)).toEqual([1, startLine('first-id')]);
    expect(decodeChunk(second.finish())).toEqual([2, startLine('other-id'), 3, 'x'.repeat(100)]);
  });

  it('still reads the JSON windows stored by earlier versions', () => {
    const legacy = Buffer.from(JSON.stringify([5, 'START RequestId: x Version: $LATEST', 6, 'a\tb']));
    expect(decodeChunk(legacy)).toEqual([5, 'START RequestId: x Version: $LATEST', 6, 'a\tb']);
    expect(chunkEventBytes(legacy)).toBe(legacy.length);
  });
});
