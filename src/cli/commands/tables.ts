/** `lambdalite tables list | items TABLE PARTITION_KEY`. */
import { Command } from 'commander';
import type { QueryOutput, TableDescription } from '../../tables/model.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { intOption } from '../options.js';
import { print, printJson, show } from '../output.js';

export function tablesCommand(): Command {
  const list = withConnection(new Command('list').description('list tables')).action(
    async (flags: ConnectionFlags) => {
      const tables = await clientFor(flags).get<TableDescription[]>('/tables');
      show(
        tables,
        [
          { header: 'NAME', value: (t) => t.tableName },
          { header: 'PARTITION KEY', value: (t) => `${t.partitionKey.name} (${t.partitionKey.type})` },
          { header: 'SORT KEY', value: (t) => t.sortKey && `${t.sortKey.name} (${t.sortKey.type})` },
          { header: 'STREAM', value: (t) => t.streamViewType },
        ],
        flags.json,
      );
    },
  );
  const items = withConnection(
    new Command('items')
      .description('the items of one partition')
      .argument('<table>', 'table name')
      .argument('<partition-key>', 'value of the partition key')
      .option('--limit <n>', 'items at most', intOption('--limit', 1, 1000), 100),
  ).action(async (table: string, key: string, flags: ConnectionFlags & { limit: number }) => {
    const out = await clientFor(flags).get<QueryOutput>(`/tables/${encodeURIComponent(table)}/items`, {
      partitionKey: key,
      limit: flags.limit,
    });
    if (flags.json) return printJson(out);
    for (const item of out.items) print(JSON.stringify(item));
    if (out.items.length === 0) print('(none)');
  });
  return new Command('tables').description('tables and their items').addCommand(list).addCommand(items);
}
