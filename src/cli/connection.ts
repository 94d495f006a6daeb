/** The options every command that talks to a running server takes, and the client they make. */
import { type Command, Option } from 'commander';
import { ApiClient } from './client.js';
import { DEFAULT_PORT, parseCredentials } from './options.js';

export const DEFAULT_ENDPOINT = `http://127.0.0.1:${DEFAULT_PORT}`;

export interface ConnectionFlags {
  endpoint: string;
  credentials?: string;
  json?: boolean;
}

/** Adds --endpoint, --credentials and --json to a command. */
export function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option('--endpoint <url>', 'the lambdalite server to talk to')
        .env('LAMBDALITE_ENDPOINT')
        .default(DEFAULT_ENDPOINT),
    )
    .addOption(
      new Option('--credentials <key:secret>', "the server's key pair, when it was started with one")
        .env('LAMBDALITE_CREDENTIALS')
        .argParser(parseCredentials),
    )
    .option('--json', 'print JSON for scripts instead of tables');
}

export function clientFor(flags: ConnectionFlags): ApiClient {
  return new ApiClient(flags.endpoint, flags.credentials);
}
