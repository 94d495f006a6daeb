/**
 * The command tree. Adding a command is one file in commands/ exporting a `Command`, plus one
 * line here.
 */
import { Command } from 'commander';
import { applyCommand } from './commands/apply.js';
import { benchCommand } from './commands/bench.js';
import { bucketsCommand } from './commands/buckets.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { functionsCommand } from './commands/functions.js';
import { invokeCommand } from './commands/invoke.js';
import { logsCommand } from './commands/logs.js';
import { mappingsCommand } from './commands/mappings.js';
import { metricsCommand } from './commands/metrics.js';
import { rolesCommand } from './commands/roles.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { streamsCommand } from './commands/streams.js';
import { tablesCommand } from './commands/tables.js';

/** Applies `configure` to a command and every command below it. */
function everywhere(command: Command, configure: (c: Command) => void): Command {
  configure(command);
  for (const sub of command.commands) everywhere(sub, configure);
  return command;
}

export function buildProgram(): Command {
  const program = new Command('lambdalite').description("AWS Lambda's event model in one Node.js process");
  for (const command of [
    serveCommand(),
    applyCommand(),
    invokeCommand(),
    logsCommand(),
    metricsCommand(),
    deadLettersCommand(),
    statusCommand(),
    functionsCommand(),
    bucketsCommand(),
    streamsCommand(),
    tablesCommand(),
    mappingsCommand(),
    rolesCommand(),
    benchCommand(),
  ])
    program.addCommand(command);
  // Commands built apart do not inherit settings: usage errors become exceptions `main` maps to
  // exit code 2, and each command's help follows its error.
  return everywhere(program, (c) => c.showHelpAfterError().exitOverride());
}
