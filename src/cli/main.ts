#!/usr/bin/env node
/**
 * The `lambdalite` command. Each subcommand lives in its own file under commands/. Exit codes
 * (exit.ts): 0 done, 1 refused or failed (with the AWS-style code), 2 usage, 3 no server.
 */
import { CommanderError } from 'commander';
import { isLambdaliteError } from '../errors.js';
import { CliError, EXIT } from './exit.js';
import { paint } from './output.js';
import { buildProgram } from './program.js';

function fail(message: string, exitCode: number): void {
  process.stderr.write(`${paint.errorRed('lambdalite:')} ${message}\n`);
  process.exitCode = exitCode;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // Commander printed the message (and help) already.
      process.exitCode =
        err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
          ? EXIT.ok
          : EXIT.usage;
    } else if (err instanceof CliError) {
      fail(err.code === undefined ? err.message : `${err.code}: ${err.message}`, err.exitCode);
    } else if (isLambdaliteError(err)) {
      fail(`${err.code}: ${err.message}`, EXIT.failed);
    } else {
      fail(err instanceof Error ? err.message : String(err), EXIT.failed);
    }
  });
