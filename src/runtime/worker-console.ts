/**
 * Inside a container: routes everything the code prints (console.* with its level, and raw
 * process.stdout / process.stderr writes) to one sink, which ships it to the engine tagged
 * with the current request id. Nothing reaches the host's terminal.
 */
import { format } from 'node:util';
import type { LogLevel } from './protocol.js';

type Sink = (level: LogLevel, message: string) => void;

const LEVELS: ReadonlyArray<[string, LogLevel]> = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
];

export function captureConsole(sink: Sink): void {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of LEVELS) {
    target[method] =
      method === 'trace'
        ? (...args: unknown[]) => {
            const stack = (new Error().stack ?? '').split('\n').slice(2).join('\n');
            sink(level, `Trace: ${format(...args)}\n${stack}`);
          }
        : (...args: unknown[]) => sink(level, format(...args));
  }
  redirect(process.stdout, 'INFO', sink);
  redirect(process.stderr, 'ERROR', sink);
}

function redirect(stream: NodeJS.WriteStream, level: LogLevel, sink: Sink): void {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const message = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (message.length > 0) sink(level, message);
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  }) as typeof stream.write;
}
