/**
 * `npm start`: a real pipeline on LevelDB on disk (./data/demo), both of Lambda's event paths:
 *
 *   putObject -> bucket notification (push, async queue) -> `ingest` function in a worker
 *     -> lambdalite/sdk streams.putRecord -> `demo-feed` stream (2 shards)
 *     -> event source mapping (pull, in order per shard) -> `index` function in a worker
 *     -> lambdalite/sdk tables.putItem -> `demo-index` table
 *
 * IAM is enforced throughout: S3 may invoke `ingest` (resource policy), each function's
 * execution role allows exactly what it does. Run it twice: the data persists.
 */
import { fileURLToPath } from 'node:url';
import {
  createEngine,
  type Engine,
  EXECUTION_LOGS_POLICY,
  isLambdaliteError,
  LAMBDA_TRUST_POLICY,
  streamReadPolicy,
} from '../src/index.js';

const CODE = fileURLToPath(new URL('./demo/', import.meta.url));
const UPLOADS = [
  ['notes/monday.txt', 'bought milk and fixed the bike'],
  ['notes/tuesday.txt', 'wrote the retry module'],
  ['poems/haiku one.txt', 'an old silent pond a frog jumps into the pond splash silence again'],
  ['poems/été.txt', 'soleil plage sable'],
  ['readme.txt', 'uploads land here'],
] as const;

/** Runs `create` unless it fails because the resource already exists (a second run). */
async function ensure(what: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
    console.log(`created ${what}`);
  } catch (err) {
    const exists = [
      'BucketAlreadyOwnedByYou',
      'ResourceInUseException',
      'ResourceConflictException',
      'EntityAlreadyExists',
    ];
    if (!(isLambdaliteError(err) && exists.includes(err.code))) throw err;
  }
}

async function setUp(engine: Engine): Promise<void> {
  const arns = {
    bucket: 'arn:aws:s3:::demo-uploads',
    feed: `arn:aws:kinesis:${engine.region}:${engine.accountId}:stream/demo-feed`,
    table: `arn:aws:dynamodb:${engine.region}:${engine.accountId}:table/demo-index`,
  };
  await ensure('bucket demo-uploads', () => engine.buckets.create('demo-uploads'));
  await ensure('stream demo-feed (2 shards)', () => engine.streams.create('demo-feed', { shardCount: 2 }));
  await ensure('table demo-index', () =>
    engine.tables.create('demo-index', { partitionKey: 'folder', sortKey: 'key' }),
  );
  await ensure('role demo-ingest', () =>
    engine.iam.createRole({
      name: 'demo-ingest',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: {
        logs: EXECUTION_LOGS_POLICY,
        work: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: `${arns.bucket}/*` },
            { Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: arns.feed },
          ],
        },
      },
    }),
  );
  await ensure('role demo-index', () =>
    engine.iam.createRole({
      name: 'demo-index',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: {
        logs: EXECUTION_LOGS_POLICY,
        read: streamReadPolicy(arns.feed),
        work: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: arns.table }],
        },
      },
    }),
  );
  const role = (name: string) => `arn:aws:iam::${engine.accountId}:role/${name}`;
  await ensure('function ingest', () =>
    engine.functions.create({
      name: 'ingest',
      handler: 'ingest.handler',
      code: { directory: CODE },
      role: role('demo-ingest'),
    }),
  );
  await ensure('function index', () =>
    engine.functions.create({
      name: 'index',
      handler: 'index.handler',
      code: { directory: CODE },
      role: role('demo-index'),
    }),
  );
  await ensure('permission for S3 to invoke ingest', () =>
    engine.functions.addPermission('ingest', {
      statementId: 's3-demo-uploads',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: arns.bucket,
      sourceAccount: engine.accountId,
    }),
  );
  await engine.buckets.putNotificationConfiguration('demo-uploads', {
    lambdaFunctionConfigurations: [
      {
        id: 'txt-to-ingest',
        functionArn: (await engine.functions.get('ingest')).functionArn,
        events: ['s3:ObjectCreated:*'],
        filter: { suffix: '.txt' },
      },
    ],
  });
  if ((await engine.mappings.list({ functionName: 'index' })).length === 0) {
    await engine.mappings.create({
      functionName: 'index',
      eventSourceArn: arns.feed,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
    });
    console.log('created mapping demo-feed -> index');
  }
}

const engine = await createEngine({ location: './data/demo' });
engine.events$.subscribe((e) => {
  if (e.type === 'function.log' && e.kind === 'user') console.log(`  [${e.functionName}] ${e.message}`);
  if (e.type === 'async.failed') console.log(`  async event ${e.requestId} failed: ${e.condition}`);
});
try {
  await setUp(engine);
  // Each item written to demo-index proves one upload went through both paths; wait for all of
  // them, bounded (a second run overwrites the same items: MODIFY instead of INSERT).
  let remaining = UPLOADS.length;
  const indexed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pipeline did not finish within 60 s')), 60_000);
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'table.itemChanged' && e.tableName === 'demo-index' && --remaining === 0) {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve();
      }
    });
  });
  console.log(`\nputting ${UPLOADS.length} objects into demo-uploads`);
  for (const [key, text] of UPLOADS)
    await engine.buckets.putObject('demo-uploads', key, text, { contentType: 'text/plain' });
  await indexed;

  console.log('\ndemo-index, by folder:');
  for (const folder of ['notes', 'poems', '(root)']) {
    const { items } = await engine.tables.query('demo-index', { partitionKey: folder });
    for (const item of items)
      console.log(
        `  ${folder.padEnd(7)} ${String(item.key).padEnd(20)} ${item.words} words  seq ${item.sequenceNumber}`,
      );
  }
  const [mapping] = await engine.mappings.list({ functionName: 'index' });
  if (mapping) {
    const view = await engine.mappings.get(mapping.uuid);
    console.log(`\nmapping ${view.uuid}: ${view.state}, ${view.lastProcessingResult}`);
    for (const shard of view.shards)
      console.log(`  ${shard.shardId} checkpoint ${shard.sequenceNumber ?? '-'}`);
  }
  console.log(`dead letters of ingest: ${(await engine.functions.deadLetters('ingest')).length}`);
} finally {
  await engine.close();
}
