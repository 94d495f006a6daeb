/**
 * `lambdalite logs tail GROUP|FUNCTION [--follow] [--filter P] [--since 10m]` and `logs groups`.
 * A name without a leading slash is a function: its group is /aws/lambda/NAME. With --follow,
 * lines arrive as the function writes them (the server's live tail), until Ctrl-C.
 */
import { Command } from 'commander';
import type { LogGroup } from '../../observe/logs/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { parseDuration } from '../options.js';
import { paint, show } from '../output.js';

interface TailFlags extends ConnectionFlags {
  follow?: boolean;
  filter?: string;
  since: number;
}

interface LogLine {
  logGroupName: string;
  logStreamName: string;
  timestamp: number;
  message: string;
  eventId: string;
}

function groupOf(target: string): string {
  return target.startsWith('/') ? target : `/aws/lambda/${target}`;
}

function printLine(line: LogLine, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const time = new Date(line.timestamp).toISOString();
  process.stdout.write(`${paint.dim(time)} ${line.message.replace(/\n$/, '')}\n`);
}

export function logsCommand(): Command {
  const tail = withConnection(
    new Command('tail')
      .description("print a log group's recent lines; with --follow, keep printing them as they are written")
      .argument('<group-or-function>', 'a log group (/aws/lambda/NAME) or a function name')
      .option('-f, --follow', 'keep printing new lines until Ctrl-C')
      .option('--filter <pattern>', 'a CloudWatch Logs filter pattern')
      .option(
        '--since <duration>',
        'how far back to start (30s, 10m, 2h, 1d; 0 for none)',
        parseDuration,
        600_000,
      ),
  ).action(async (target: string, flags: TailFlags) => {
    const client = clientFor(flags);
    const group = groupOf(target);
    const query = { group, filter: flags.filter, since: flags.since };
    if (!flags.follow) {
      if (flags.since === 0) return;
      const { events } = await client.get<{ events: Omit<LogLine, 'logGroupName'>[] }>('/logs/events', query);
      for (const e of events) printLine({ logGroupName: group, ...e }, flags.json);
      return;
    }
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      for await (const message of client.events('/logs/tail', query, stop.signal)) {
        if (message.event === 'ready') process.stderr.write(`tailing ${group} (Ctrl-C to stop)\n`);
        else if (message.event === 'message') printLine(message.data as LogLine, flags.json);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
  const groups = withConnection(new Command('groups').description('list log groups')).action(
    async (flags: ConnectionFlags) => {
      const list = await clientFor(flags).get<LogGroup[]>('/logs/groups');
      show(
        list,
        [
          { header: 'GROUP', value: (g) => g.logGroupName },
          { header: 'RETENTION DAYS', value: (g) => g.retentionInDays },
          { header: 'STORED BYTES', value: (g) => g.storedBytes },
        ],
        flags.json,
      );
    },
  );
  return new Command('logs').description('function logs').addCommand(tail).addCommand(groups);
}
