#!/usr/bin/env node
/** The `lambdalite` command. Each subcommand lives in its own file under commands/. */
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`lambdalite: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
