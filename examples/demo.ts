/**
 * `npm start`: the demo pipeline through `lambdalite serve`, on LevelDB on disk (./data/demo).
 *
 *   PUT object (S3 wire protocol) -> bucket notification (push, async queue) -> `ingest`
 *     -> lambdalite/sdk streams.putRecord -> `demo-feed` stream (2 shards)
 *     -> event source mapping (pull, in order per shard) -> `index` -> tables.putItem -> `demo-index`
 *
 * Everything goes over HTTP, as any client would: the pipeline file is applied through the
 * console API (what `lambdalite apply` does), objects are put with S3's protocol, and what
 * happens is printed from the server's live feeds. Then the console stays up until Ctrl-C.
 */
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../src/cli/client.js';
import { createEngine, loadPipelineFile, type Plan, type Server, serve } from '../src/index.js';

const PIPELINE = fileURLToPath(new URL('./pipeline/lambdalite.config.json', import.meta.url));
const PORT = Number(process.env.PORT ?? 4566);
const UPLOADS = [
  ['notes/monday.txt', 'bought milk and fixed the bike'],
  ['notes/tuesday.txt', 'wrote the retry module'],
  ['poems/haiku one.txt', 'an old silent pond a frog jumps into the pond splash silence again'],
  ['poems/été.txt', 'soleil plage sable'],
  ['readme.txt', 'uploads land here'],
] as const;
const PLATFORM_LINE = /^(START|END|REPORT) RequestId/;

interface Line {
  logGroupName: string;
  message: string;
}

/** Port 4566 when it is free, any free port otherwise. */
async function listen(engine: Awaited<ReturnType<typeof createEngine>>): Promise<Server> {
  try {
    return await serve(engine, { port: PORT });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return serve(engine, { port: 0 });
  }
}

const ready: Promise<void>[] = [];

/** Hands each message of a live feed to `onData` until `signal` aborts; `ready` learns when it is on. */
function follow(
  client: ApiClient,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
  onData: (data: unknown) => void,
): Promise<void> {
  let on: () => void = () => undefined;
  ready.push(new Promise<void>((resolve) => (on = resolve)));
  return (async () => {
    for await (const m of client.events(path, query, signal)) {
      if (m.event === 'ready') on();
      else if (m.event === 'message') onData(m.data);
    }
  })();
}

const engine = await createEngine({ location: './data/demo' });
const server = await listen(engine);
const client = new ApiClient(server.url);
const stop = new AbortController();
const feeds: Promise<void>[] = [];
try {
  console.log(`serving on ${server.url}\n`);
  const plan = await client.post<{ plan: Plan; text: string }>('/apply', {
    pipeline: await loadPipelineFile(PIPELINE),
  });
  console.log(`applied ${PIPELINE}:\n${plan.text}\n`);

  // What the functions print, as they print it.
  for (const fn of ['ingest', 'index']) {
    feeds.push(
      follow(client, '/logs/tail', { group: `/aws/lambda/${fn}` }, stop.signal, (data) => {
        const line = data as Line;
        const text = line.message.split('\t').at(-1)?.trim() ?? '';
        if (!PLATFORM_LINE.test(line.message)) console.log(`  [${fn}] ${text}`);
      }),
    );
  }
  // Each item written to demo-index proves one upload went through both paths.
  let remaining: number = UPLOADS.length;
  let allIndexed: () => void = () => undefined;
  const indexed = new Promise<void>((resolve) => (allIndexed = resolve));
  feeds.push(
    follow(client, '/events', { types: 'table.itemChanged,async.failed' }, stop.signal, (data) => {
      const e = data as { type: string; tableName?: string; eventName?: string; requestId?: string };
      if (e.type === 'async.failed') console.log(`  async event ${e.requestId} failed`);
      if (e.type === 'table.itemChanged' && e.tableName === 'demo-index') {
        console.log(`  [demo-index] ${e.eventName}`);
        if (--remaining === 0) allIndexed();
      }
    }),
  );
  await Promise.all(ready);

  console.log(`putting ${UPLOADS.length} objects into demo-uploads (S3 PUT)`);
  for (const [key, text] of UPLOADS) {
    const path = key.split('/').map(encodeURIComponent).join('/');
    const put = await fetch(`${server.url}/demo-uploads/${path}`, {
      method: 'PUT',
      body: text,
      headers: { 'content-type': 'text/plain' },
    });
    if (!put.ok) throw new Error(`PUT ${key}: HTTP ${put.status} ${await put.text()}`);
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    indexed,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('the pipeline did not finish within 60 s')), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));

  console.log('\ndemo-index, by folder:');
  for (const folder of ['notes', 'poems', '(root)']) {
    const { items } = await client.get<{ items: Record<string, unknown>[] }>('/tables/demo-index/items', {
      partitionKey: folder,
    });
    for (const item of items)
      console.log(
        `  ${folder.padEnd(7)} ${String(item.key).padEnd(20)} ${item.words} words  seq ${item.sequenceNumber}`,
      );
  }

  console.log(`\nconsole:  ${server.url}/`);
  console.log(`CLI:      npm run lambdalite -- status --endpoint ${server.url}`);
  console.log('Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
} finally {
  stop.abort();
  await Promise.allSettled(feeds);
  await server.close();
  await engine.close();
  console.log('closed');
}
