/** `lambdalite dead-letters list | redrive FUNCTION`: async events given up on, and sending them again. */
import { Command } from 'commander';
import type { DeadLetter } from '../../dispatch/push/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { print, printJson, show } from '../output.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function deadLettersCommand(): Command {
  const list = withConnection(
    new Command('list').description("a function's dead letters").argument('<function>', 'function name'),
  ).action(async (name: string, flags: ConnectionFlags) => {
    const letters = await clientFor(flags).get<DeadLetter[]>(
      `/functions/${encodeURIComponent(name)}/dead-letters`,
    );
    show(
      letters,
      [
        { header: 'REQUEST ID', value: (d) => d.requestId },
        { header: 'CONDITION', value: (d) => d.condition },
        { header: 'ATTEMPTS', value: (d) => d.attempts },
        { header: 'FAILED AT', value: (d) => new Date(d.failedAt).toISOString() },
        { header: 'LAST ERROR', value: (d) => d.lastError },
      ],
      flags.json,
    );
  });
  const redrive = withConnection(
    new Command('redrive')
      .description("queue a function's dead letters again, with fresh attempts")
      .argument('<function>', 'function name')
      .option('--request-id <id>', 'only this dead letter (repeatable)', collect),
  ).action(async (name: string, flags: ConnectionFlags & { requestId?: string[] }) => {
    const result = await clientFor(flags).post<{ requestIds: string[] }>(
      `/functions/${encodeURIComponent(name)}/redrive`,
      flags.requestId === undefined ? {} : { requestIds: flags.requestId },
    );
    if (flags.json) return printJson(result);
    print(`redriven ${result.requestIds.length}: ${result.requestIds.join(' ') || '-'}`);
  });
  return new Command('dead-letters')
    .description('async events that exhausted their attempts')
    .addCommand(list)
    .addCommand(redrive);
}
