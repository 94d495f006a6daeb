/** `lambdalite streams list | describe NAME`. */
import { Command } from 'commander';
import type { StreamDescription } from '../../streams/model.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { print, printJson, show } from '../output.js';

export function streamsCommand(): Command {
  const list = withConnection(new Command('list').description('list streams')).action(
    async (flags: ConnectionFlags) => {
      const streams = await clientFor(flags).get<{ streamName: string; streamArn: string }[]>('/streams');
      show(
        streams,
        [
          { header: 'NAME', value: (s) => s.streamName },
          { header: 'ARN', value: (s) => s.streamArn },
        ],
        flags.json,
      );
    },
  );
  const describe = withConnection(
    new Command('describe').description('a stream and its shards').argument('<name>', 'stream name or ARN'),
  ).action(async (name: string, flags: ConnectionFlags) => {
    const stream = await clientFor(flags).get<StreamDescription>(`/streams/${encodeURIComponent(name)}`);
    if (flags.json) return printJson(stream);
    print(
      `${stream.streamName}: ${stream.openShardCount} open shards, ${stream.retentionPeriodHours} h retention`,
    );
    show(
      stream.shards,
      [
        { header: 'SHARD', value: (s) => s.shardId },
        { header: 'PARENT', value: (s) => s.parentShardId },
        { header: 'STARTING SEQUENCE', value: (s) => s.sequenceNumberRange.startingSequenceNumber },
        { header: 'ENDING SEQUENCE', value: (s) => s.sequenceNumberRange.endingSequenceNumber },
      ],
      false,
    );
  });
  return new Command('streams').description('streams and their shards').addCommand(list).addCommand(describe);
}
