/** Option parsers shared by commands; each names the option and the value it refused. */
import { InvalidArgumentError } from 'commander';

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
