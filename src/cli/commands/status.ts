/** `lambdalite status`: what the server holds, its live containers, and the lag of each mapping. */
import { Command } from 'commander';
import type { StatusReport } from '../../server/console/api/status.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { formatTable, paint, print, printJson } from '../output.js';

export function statusCommand(): Command {
  return withConnection(
    new Command('status').description('resources, live containers and the lag of each mapping'),
  ).action(async (flags: ConnectionFlags) => {
    const report = await clientFor(flags).get<StatusReport>('/status');
    if (flags.json) return printJson(report);
    const { counts } = report;
    print(`${paint.bold('lambdalite')} at ${flags.endpoint} (${report.region}, account ${report.accountId})`);
    print(
      `${counts.functions} functions, ${counts.buckets} buckets, ${counts.streams} streams, ` +
        `${counts.tables} tables, ${counts.roles} roles, ${counts.mappings} mappings; ` +
        `${report.pendingAsyncEvents} async events pending`,
    );
    print(`\n${paint.bold('Containers')}`);
    print(
      formatTable(report.containers, [
        { header: 'FUNCTION', value: (r) => r.functionName },
        { header: 'LIVE', value: (r) => r.containers },
      ]),
    );
    print(`\n${paint.bold('Mappings')}`);
    print(
      formatTable(report.mappings, [
        { header: 'UUID', value: (m) => m.uuid },
        { header: 'FUNCTION', value: (m) => m.functionName },
        { header: 'SOURCE', value: (m) => m.eventSourceArn.slice(m.eventSourceArn.indexOf(':', 13) + 1) },
        { header: 'STATE', value: (m) => m.state },
        { header: 'LAG MS', value: (m) => m.maxIteratorAgeMs },
        { header: 'LAST RESULT', value: (m) => m.lastProcessingResult },
      ]),
    );
  });
}
