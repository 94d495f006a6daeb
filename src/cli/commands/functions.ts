/** `lambdalite functions list | get NAME`. */
import { Command } from 'commander';
import type { FunctionConfiguration } from '../../functions/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { formatTable, print, printJson, show } from '../output.js';

interface FunctionDetail {
  configuration: FunctionConfiguration;
  eventInvokeConfig?: unknown;
  deadLetters: number;
}

export function functionsCommand(): Command {
  const list = withConnection(new Command('list').description('list functions')).action(
    async (flags: ConnectionFlags) => {
      const functions = await clientFor(flags).get<FunctionConfiguration[]>('/functions');
      show(
        functions,
        [
          { header: 'NAME', value: (f) => f.functionName },
          { header: 'HANDLER', value: (f) => f.handler },
          { header: 'RUNTIME', value: (f) => f.runtime },
          { header: 'MEMORY', value: (f) => f.memorySize },
          { header: 'TIMEOUT', value: (f) => f.timeout },
          { header: 'RESERVED', value: (f) => f.reservedConcurrency },
          { header: 'LAST MODIFIED', value: (f) => f.lastModified },
        ],
        flags.json,
      );
    },
  );
  const get = withConnection(
    new Command('get').description("one function's configuration").argument('<name>', 'function name'),
  ).action(async (name: string, flags: ConnectionFlags) => {
    const detail = await clientFor(flags).get<FunctionDetail>(`/functions/${encodeURIComponent(name)}`);
    if (flags.json) return printJson(detail);
    const c = detail.configuration;
    const rows: [string, string | number][] = [
      ['name', c.functionName],
      ['arn', c.functionArn],
      ['handler', c.handler],
      ['runtime', c.runtime],
      ['memory (MB)', c.memorySize],
      ['timeout (s)', c.timeout],
      ['role', c.role],
      ['code', `${c.codeSource} ${c.codePath ?? ''} (${c.codeSize} bytes, ${c.codeSha256})`],
      ['environment', Object.keys(c.environment).join(', ') || '-'],
      ['reserved concurrency', c.reservedConcurrency ?? '-'],
      ['dead letters', detail.deadLetters],
    ];
    print(
      formatTable(rows, [
        { header: 'FIELD', value: (r) => r[0] },
        { header: 'VALUE', value: (r) => r[1] },
      ]),
    );
  });
  return new Command('functions').description('functions').addCommand(list).addCommand(get);
}
