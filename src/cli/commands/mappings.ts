/** `lambdalite mappings list | get UUID`: event source mappings, their shards and checkpoints. */
import { Command } from 'commander';
import type { EventSourceMapping } from '../../mappings/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { print, printJson, show } from '../output.js';

type MappingView = EventSourceMapping & { functionName: string };

export function mappingsCommand(): Command {
  const list = withConnection(new Command('list').description('list event source mappings')).action(
    async (flags: ConnectionFlags) => {
      const mappings = await clientFor(flags).get<MappingView[]>('/mappings');
      show(
        mappings,
        [
          { header: 'UUID', value: (m) => m.uuid },
          { header: 'FUNCTION', value: (m) => m.functionName },
          { header: 'SOURCE', value: (m) => m.eventSourceArn },
          { header: 'STATE', value: (m) => m.state },
          { header: 'BATCH', value: (m) => m.batchSize },
          { header: 'LAST RESULT', value: (m) => m.lastProcessingResult },
        ],
        flags.json,
      );
    },
  );
  const get = withConnection(
    new Command('get')
      .description('one mapping with its checkpoint per shard')
      .argument('<uuid>', 'mapping UUID'),
  ).action(async (uuid: string, flags: ConnectionFlags) => {
    const m = await clientFor(flags).get<MappingView>(`/mappings/${encodeURIComponent(uuid)}`);
    if (flags.json) return printJson(m);
    print(`${m.uuid}: ${m.eventSourceArn} -> ${m.functionName}, ${m.state}, ${m.lastProcessingResult}`);
    show(
      m.shards,
      [
        { header: 'SHARD', value: (s) => s.shardId },
        { header: 'CHECKPOINT', value: (s) => s.sequenceNumber },
        { header: 'ITERATOR AGE MS', value: (s) => s.iteratorAgeMs },
        { header: 'DRAINED', value: (s) => s.drained },
      ],
      false,
    );
  });
  return new Command('mappings').description('event source mappings').addCommand(list).addCommand(get);
}
