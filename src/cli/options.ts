/** Option parsers shared by commands; each names the option and the value it refused. */
import { InvalidArgumentError } from 'commander';

/** The port `serve` listens on and the other commands look for (LocalStack's edge port). */
export const DEFAULT_PORT = 4566;

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError(`--port must be 0..65535, got ${value}`);
  return port;
}

export function parseCredentials(value: string): string {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1)
    throw new InvalidArgumentError(`--credentials must be KEY:SECRET`);
  return value;
}

/** A whole number within bounds, for options such as --period or --limit. */
export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number in ${min}..${max}, got ${value}`);
    return n;
  };
}

const UNIT_MS = new Map([
  ['s', 1000],
  ['m', 60_000],
  ['h', 3600_000],
  ['d', 86_400_000],
]);

/** A duration such as `30s`, `10m`, `2h`, `1d` (or 0), as milliseconds. */
export function parseDuration(value: string): number {
  if (value === '0') return 0;
  const match = /^(\d+)([smhd])$/.exec(value);
  const unit = match === null ? undefined : UNIT_MS.get(match[2]!);
  if (match === null || unit === undefined)
    throw new InvalidArgumentError(`must be a duration such as 30s, 10m, 2h or 1d, got ${value}`);
  return Number(match[1]) * unit;
}
