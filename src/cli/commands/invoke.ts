/**
 * `lambdalite invoke FUNCTION [PAYLOAD] [--async] [--file F]`: the payload is JSON from the
 * argument, from a file, or from stdin when the argument or the file is `-`. Prints the result
 * payload; a function error also exits 1 with the error's type on stderr.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { Command, InvalidArgumentError } from 'commander';
import type { InvokeResult } from '../../functions/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { CliError, EXIT } from '../exit.js';
import { print, printJson } from '../output.js';

interface InvokeFlags extends ConnectionFlags {
  async?: boolean;
  file?: string;
}

async function payloadText(
  argument: string | undefined,
  file: string | undefined,
): Promise<string | undefined> {
  if (argument !== undefined && file !== undefined) {
    throw new CliError('give the payload as an argument or with --file, not both', EXIT.usage);
  }
  const source = argument ?? file;
  if (source === '-') return text(process.stdin);
  if (file !== undefined) {
    return readFile(file, 'utf8').catch((err: unknown) => {
      throw new CliError(`--file ${file} cannot be read: ${(err as Error).message}`, EXIT.usage);
    });
  }
  return argument;
}

function parsePayload(raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new InvalidArgumentError(`the payload is not valid JSON: ${(err as Error).message}`);
  }
}

export function invokeCommand(): Command {
  return withConnection(
    new Command('invoke')
      .description('invoke a function and print what it returned')
      .argument('<function>', 'function name or ARN')
      .argument('[payload]', "the event as JSON ('-' reads stdin)")
      .option('--async', 'queue the event (invocation type Event) and print its request id')
      .option('--file <path>', "read the event from a file ('-' reads stdin)"),
  ).action(async (name: string, argument: string | undefined, flags: InvokeFlags) => {
    let payload: unknown;
    try {
      payload = parsePayload(await payloadText(argument, flags.file));
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    const result = await clientFor(flags).post<InvokeResult>(
      `/functions/${encodeURIComponent(name)}/invoke`,
      {
        payload,
        invocationType: flags.async ? 'Event' : 'RequestResponse',
      },
    );
    if (flags.json) printJson(result);
    else if (flags.async) print(`queued ${result.requestId}`);
    else print(JSON.stringify(result.payload ?? null));
    if (result.functionError !== undefined) {
      const error = result.payload as { errorType?: string; errorMessage?: string } | undefined;
      throw new CliError(
        `${error?.errorType ?? 'Error'}: ${error?.errorMessage ?? ''} (request ${result.requestId})`,
        EXIT.failed,
        `FunctionError ${result.functionError}`,
      );
    }
  });
}
