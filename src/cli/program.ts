/**
 * The command tree. Adding a command (apply, invoke, logs, metrics, dead-letters, status, bench)
 * is one file in commands/ exporting a `Command`, plus one line here.
 */
import { Command } from 'commander';
import { benchCommand } from './commands/bench.js';
import { serveCommand } from './commands/serve.js';

export function buildProgram(): Command {
  const program = new Command('lambdalite')
    .description("AWS Lambda's event model in one Node.js process")
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(benchCommand());
  return program;
}
