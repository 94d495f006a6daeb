/** Lambda's platform and user log lines (reference §7.1), as text. */
import type { LogLevel } from './protocol.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export const startLine = (requestId: string): string => `START RequestId: ${requestId} Version: $LATEST`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

/** `<ISO time>\t<requestId>\t<LEVEL>\t<message>`; output printed during init carries 'undefined'. */
export const userLine = (
  time: number,
  requestId: string | undefined,
  level: LogLevel,
  message: string,
): string => `${iso(time)}\t${requestId ?? 'undefined'}\t${level}\t${message}`;

/** `Task timed out after 3.00 seconds`, with the configured timeout. */
export const timeoutMessage = (time: number, requestId: string, timeoutSec: number): string =>
  `${iso(time)} ${requestId} Task timed out after ${timeoutSec.toFixed(2)} seconds`;

export interface ReportFigures {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
}

/**
 * Billed duration: the reported duration (two decimals, as REPORT prints it) rounded up to the
 * next millisecond (1 ms granularity since Dec 2020), so the line is consistent with itself.
 */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(Math.round(durationMs * 100) / 100));
}

export function reportLine(requestId: string, f: ReportFigures): string {
  const init = f.initDurationMs === undefined ? '' : `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  return (
    `REPORT RequestId: ${requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${f.billedDurationMs} ms\tMemory Size: ${f.memorySizeMb} MB\t` +
    `Max Memory Used: ${f.maxMemoryUsedMb} MB\t${init}`
  );
}

/** The last 4 KB of an invocation's lines, base64, as `X-Amz-Log-Result` carries them. */
export function tail(lines: readonly string[]): string {
  const text = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
}
