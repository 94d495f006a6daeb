/**
 * The lines of one container in its function's log format: AWS's text lines (log-lines.ts) or
 * its JSON format, where the code's output becomes `{ timestamp, level, requestId, message }`
 * records and the platform writes `platform.initStart` / `platform.start` /
 * `platform.runtimeDone` / `platform.report` records, each kept or dropped by the configured
 * application and system log levels. A builder answers undefined for a line the levels drop.
 */
import type { LoggingConfig } from '../functions/logging-config.js';
import { endLine, type ReportFigures, reportLine, startLine, timeoutMessage, userLine } from './log-lines.js';
import type { ErrorShape, LogLevel } from './protocol.js';

const APPLICATION_RANK: ReadonlyMap<string, number> = new Map([
  ['TRACE', 0],
  ['DEBUG', 1],
  ['INFO', 2],
  ['WARN', 3],
  ['ERROR', 4],
  ['FATAL', 5],
]);
const SYSTEM_RANK: ReadonlyMap<string, number> = new Map([
  ['DEBUG', 0],
  ['INFO', 1],
  ['WARN', 2],
]);

export type InvocationStatus = 'success' | 'error' | 'timeout';

const iso = (ms: number): string => new Date(ms).toISOString();
const round2 = (n: number): number => Math.round(n * 100) / 100;

export class LineFormat {
  readonly json: boolean;
  readonly #application: number;
  readonly #system: number;

  constructor(config: LoggingConfig | undefined) {
    this.json = config?.logFormat === 'JSON';
    this.#application = APPLICATION_RANK.get(config?.applicationLogLevel ?? 'INFO') ?? 2;
    this.#system = SYSTEM_RANK.get(config?.systemLogLevel ?? 'INFO') ?? 1;
  }

  /** Whether the application level keeps output printed at `level` (always, in text format). */
  keeps(level: LogLevel): boolean {
    return !this.json || (APPLICATION_RANK.get(level) ?? 2) >= this.#application;
  }

  #platform(time: number, type: string, rank: number, record: Record<string, unknown>): string | undefined {
    if (rank < this.#system) return undefined;
    return JSON.stringify({ time: iso(time), type, record });
  }

  user(time: number, requestId: string | undefined, level: LogLevel, message: string): string {
    if (!this.json) return userLine(time, requestId, level, message);
    return JSON.stringify(
      requestId === undefined
        ? { timestamp: iso(time), level, message }
        : { timestamp: iso(time), level, requestId, message },
    );
  }

  /** JSON only (the text format of 2014 has no INIT_START line). */
  initStart(time: number, functionName: string, runtime: string): string | undefined {
    if (!this.json) return undefined;
    return this.#platform(time, 'platform.initStart', 1, {
      initializationType: 'on-demand',
      phase: 'init',
      runtimeVersion: runtime,
      functionName,
      functionVersion: '$LATEST',
    });
  }

  start(time: number, requestId: string): string | undefined {
    if (!this.json) return startLine(requestId);
    return this.#platform(time, 'platform.start', 1, { requestId, version: '$LATEST' });
  }

  /** The handler's error (`Invoke Error`), or how the container died. */
  error(time: number, requestId: string, error: ErrorShape, died: boolean): string | undefined {
    if (!this.json) {
      return died
        ? `${error.errorMessage}\n${error.errorType}`
        : userLine(time, requestId, 'ERROR', `Invoke Error \t${JSON.stringify(error)}`);
    }
    if (!this.keeps('ERROR')) return undefined;
    return JSON.stringify({
      timestamp: iso(time),
      level: 'ERROR',
      requestId,
      message: died ? error.errorMessage : 'Invoke Error',
      errorType: error.errorType,
      errorMessage: error.errorMessage,
      stackTrace: error.trace,
    });
  }

  /** The text format's `Task timed out` line; in JSON the report's status says it. */
  timeout(time: number, requestId: string, timeoutSec: number): string | undefined {
    return this.json ? undefined : timeoutMessage(time, requestId, timeoutSec);
  }

  /** `END` in text; `platform.runtimeDone` (a DEBUG record) in JSON. */
  end(
    time: number,
    requestId: string,
    status: InvocationStatus,
    errorType: string | undefined,
  ): string | undefined {
    if (!this.json) return endLine(requestId);
    return this.#platform(time, 'platform.runtimeDone', 0, {
      requestId,
      status,
      ...(errorType === undefined ? {} : { errorType }),
    });
  }

  report(
    time: number,
    requestId: string,
    figures: ReportFigures,
    status: InvocationStatus,
    errorType: string | undefined,
  ): string | undefined {
    if (!this.json) return reportLine(requestId, figures);
    const metrics: Record<string, number> = {
      durationMs: round2(figures.durationMs),
      billedDurationMs: figures.billedDurationMs,
      memorySizeMB: figures.memorySizeMb,
      maxMemoryUsedMB: figures.maxMemoryUsedMb,
    };
    if (figures.initDurationMs !== undefined) metrics.initDurationMs = round2(figures.initDurationMs);
    // A failed invocation's report is a WARN record: kept at every system level.
    return this.#platform(time, 'platform.report', status === 'success' ? 1 : 2, {
      requestId,
      metrics,
      status,
      ...(errorType === undefined ? {} : { errorType }),
    });
  }
}

/** The text format with no filtering: the format of functions configured before LoggingConfig. */
export const TEXT_FORMAT = new LineFormat(undefined);
