/** `lambdalite buckets list | objects BUCKET [--prefix P]`. */
import { Command } from 'commander';
import type { ListObjectsResult } from '../../buckets/listing.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { printJson, show } from '../output.js';

export function bucketsCommand(): Command {
  const list = withConnection(new Command('list').description('list buckets')).action(
    async (flags: ConnectionFlags) => {
      const buckets = await clientFor(flags).get<{ name: string; creationDate: string }[]>('/buckets');
      show(
        buckets,
        [
          { header: 'NAME', value: (b) => b.name },
          { header: 'CREATED', value: (b) => b.creationDate },
        ],
        flags.json,
      );
    },
  );
  const objects = withConnection(
    new Command('objects')
      .description("list a bucket's objects, one folder level at a time")
      .argument('<bucket>', 'bucket name')
      .option('--prefix <prefix>', 'only keys starting with this (end it with / to enter a folder)'),
  ).action(async (bucket: string, flags: ConnectionFlags & { prefix?: string }) => {
    const result = await clientFor(flags).get<ListObjectsResult>(
      `/buckets/${encodeURIComponent(bucket)}/objects`,
      { prefix: flags.prefix },
    );
    if (flags.json) return printJson(result);
    const rows = [
      ...result.commonPrefixes.map((prefix) => ({ key: prefix, size: undefined, modified: 'PRE' })),
      ...result.contents.map((o) => ({ key: o.key, size: o.size, modified: String(o.lastModified) })),
    ];
    show(
      rows,
      [
        { header: 'KEY', value: (r) => r.key },
        { header: 'SIZE', value: (r) => r.size },
        { header: 'LAST MODIFIED', value: (r) => r.modified },
      ],
      false,
    );
  });
  return new Command('buckets').description('buckets and their objects').addCommand(list).addCommand(objects);
}
