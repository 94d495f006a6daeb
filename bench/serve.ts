/**
 * `serve` through the real AWS SDK v3 clients (issue 16), beside the emulators people use
 * today, in the same run, with the same client, records and submission pattern on both sides:
 * - serve-kinesis: PutRecords (500 x 100 B, one call in flight) then GetRecords of the whole
 *   shard (Limit 10000) through `@aws-sdk/client-kinesis`, against `serve` on an engine in a
 *   temporary directory (LevelDB) and against kinesalite 3.3.3 in-process with its LevelDB
 *   store (leveldown, in a temporary directory): both durable. kinesalite's in-memory store
 *   (memdown) is measured too, as a second line.
 *   The SDK's Kinesis client speaks cleartext HTTP/2 by default (NodeHttp2Handler); kinesalite
 *   only speaks HTTP/1.1, so its client gets the SDK's NodeHttpHandler with a keep-alive agent.
 *   serve is measured both ways: with the client's default (HTTP/2, the figure the target is
 *   about) and with the very handler kinesalite's client uses.
 * - serve-s3: PutObject 1 KiB (one call in flight) through `@aws-sdk/client-s3` (its default
 *   handler, HTTP/1.1 keep-alive, path-style) against `serve` and against s3rver 3.7.1
 *   in-process on a temporary directory.
 * Each run makes a fresh stream (or fresh keys) on every side, the sides alternate within a run
 * so both see the same machine load, and each figure is the median of RUNS runs, after one
 * untimed warm-up round per side of the same size as a measured one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import { createEngine, type Engine, type Server, serve } from '../src/index.js';
import { type Benchmark, type Figure, interleaved, middle, rate } from './harness.js';

const RUNS = Number(process.env.SERVE_BENCH_RUNS ?? 5);
const BATCH = 500;
const BATCHES = Number(process.env.SERVE_BENCH_BATCHES ?? 40); // 20,000 records per run
const PUTS = Number(process.env.SERVE_BENCH_PUTS ?? 2000);
const REGION = 'us-east-1';
// s3rver checks signatures made with its own fixed key pair; serve accepts any.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const batches: PutRecordsRequestEntry[][] = Array.from({ length: BATCHES }, (_, n) =>
  Array.from({ length: BATCH }, (_, i) => ({
    PartitionKey: `pk-${(n * BATCH + i) % 1000}`,
    Data: new Uint8Array(100).fill(i % 256),
  })),
);

async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `lambdalite-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `serve` on a durable engine in a temporary directory. */
async function startServe(): Promise<{ url: string; close: () => Promise<void> }> {
  const { dir, remove } = await tempDir('serve');
  const engine: Engine = await createEngine({ location: join(dir, 'engine') });
  const server: Server = await serve(engine, { port: 0 });
  return {
    url: server.url,
    async close() {
      await server.close();
      await engine.close();
      await remove();
    },
  };
}

/** kinesalite in-process on a loopback port; `durable` puts its LevelDB store on disk. */
async function startKinesalite(durable: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const { dir, remove } = await tempDir('kinesalite');
  const server = kinesalite({
    ...(durable ? { path: join(dir, 'db') } : {}),
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    // Every run creates a stream; the default allows 10 shards in all.
    shardLimit: 10_000,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await remove();
    },
  };
}

/** The SDK's own HTTP/1.1 handler, as kinesalite needs (the Kinesis client's default is HTTP/2). */
function http1Handler(): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) });
}

interface KinesisSide {
  label: string;
  client: KinesisClient;
}

async function createActiveStream(client: KinesisClient, name: string): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  // kinesalite makes a stream ACTIVE on a timer even at createStreamMs 0; serve at once.
  for (let i = 0; i < 1000; i++) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

/** One round on a fresh stream: records/s of the puts, then of reading them all back. */
async function kinesisRound(
  side: KinesisSide,
  name: string,
  count: number,
): Promise<{ put: number; get: number }> {
  const { client } = side;
  await createActiveStream(client, name);
  const put = await rate(count * BATCH, async () => {
    for (let n = 0; n < count; n++) {
      const out = await client.send(
        new PutRecordsCommand({ StreamName: name, Records: batches[n % BATCHES]! }),
      );
      if (out.FailedRecordCount) throw new Error(`${side.label}: ${out.FailedRecordCount} records failed`);
    }
  });
  let read = 0;
  const get = await rate(count * BATCH, async () => {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: name,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (read < count * BATCH) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      if (records.length === 0) throw new Error(`${side.label}: empty page after ${read} records`);
      read += records.length;
      iterator = page.NextShardIterator;
    }
  });
  if (read !== count * BATCH) throw new Error(`${side.label}: read ${read} of ${count * BATCH} records`);
  return { put, get };
}

export const serveKinesisBenchmark: Benchmark = {
  name: 'serve-kinesis',
  async run(): Promise<Figure[]> {
    const served = await startServe();
    const durable = await startKinesalite(true);
    const memory = await startKinesalite(false);
    const client = (endpoint: string, http1: boolean): KinesisClient =>
      new KinesisClient({
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        maxAttempts: 1,
        ...(http1 ? { requestHandler: http1Handler() } : {}),
      });
    const sides: KinesisSide[] = [
      { label: 'serve, HTTP/2', client: client(served.url, false) },
      { label: 'serve, HTTP/1.1', client: client(served.url, true) },
      { label: 'kinesalite LevelDB, HTTP/1.1', client: client(durable.url, true) },
      { label: 'kinesalite memory, HTTP/1.1', client: client(memory.url, true) },
    ];
    try {
      // One untimed round of the same size first on every side (the harness's rule), then the
      // sides alternate; each round gives both a put and a get rate, so `interleaved` (one
      // figure per call) is not used here.
      for (const [i, side] of sides.entries()) await kinesisRound(side, `warm-${i}`, BATCHES);
      const puts = sides.map((): number[] => []);
      const gets = sides.map((): number[] => []);
      for (let run = 0; run < RUNS; run++) {
        for (const [i, side] of sides.entries()) {
          const { put, get } = await kinesisRound(side, `bench-${run}-${i}`, BATCHES);
          puts[i]!.push(put);
          gets[i]!.push(get);
        }
      }
      const [putH2, putH1, putLevel, putMemory] = puts.map(middle);
      const [getH2, getH1, getLevel, getMemory] = gets.map(middle);
      const figure = (
        name: string,
        value: number,
        baselineName: string,
        baselineValue: number,
        target?: number,
      ): Figure => ({
        name,
        value,
        unit: 'records/s',
        baselineName,
        baselineValue,
        higherIsBetter: true,
        ...(target === undefined ? {} : { target }),
      });
      const put = 'PutRecords 500 x 100 B via SDK';
      const get = 'GetRecords (Limit 10000) via SDK';
      const kl = 'kinesalite 3.3.3 LevelDB, HTTP/1.1';
      const km = 'kinesalite 3.3.3 in memory, HTTP/1.1';
      return [
        figure(`${put}: serve, HTTP/2 (SDK default)`, putH2!, kl, putLevel!, 5),
        figure(`${put}: serve, HTTP/1.1`, putH1!, kl, putLevel!),
        figure(`${put}: serve, HTTP/2 (SDK default)`, putH2!, km, putMemory!),
        figure(`${get}: serve, HTTP/2 (SDK default)`, getH2!, kl, getLevel!, 5),
        figure(`${get}: serve, HTTP/1.1`, getH1!, kl, getLevel!),
        figure(`${get}: serve, HTTP/2 (SDK default)`, getH2!, km, getMemory!),
      ];
    } finally {
      for (const side of sides) side.client.destroy();
      await served.close();
      await durable.close();
      await memory.close();
    }
  },
};

async function startS3rver(): Promise<{ url: string; close: () => Promise<void> }> {
  const { dir, remove } = await tempDir('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true });
  const { port } = await server.run();
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await remove();
    },
  };
}

const OBJECT = Buffer.alloc(1024, 7);

async function putObjects(client: S3Client, prefix: string, count: number): Promise<number> {
  return rate(count, async () => {
    for (let i = 0; i < count; i++) {
      await client.send(new PutObjectCommand({ Bucket: 'bench', Key: `${prefix}/${i}`, Body: OBJECT }));
    }
  });
}

/** Both sides must store the 1 KiB as sent (not, say, its aws-chunked framing). */
async function checkStored(client: S3Client, label: string): Promise<void> {
  const out = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'check/0' }));
  const body = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  if (!body.equals(OBJECT))
    throw new Error(`${label} stored ${body.length} bytes that differ from the object`);
}

export const serveS3Benchmark: Benchmark = {
  name: 'serve-s3',
  async run(): Promise<Figure[]> {
    const served = await startServe();
    const s3rver = await startS3rver();
    const client = (endpoint: string): S3Client =>
      new S3Client({
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        forcePathStyle: true,
        maxAttempts: 1,
      });
    const sides = [
      { label: 'serve', client: client(served.url) },
      { label: 's3rver', client: client(s3rver.url) },
    ];
    try {
      for (const side of sides) {
        await side.client.send(new CreateBucketCommand({ Bucket: 'bench' }));
        await putObjects(side.client, 'check', 1);
        await checkStored(side.client, side.label);
      }
      let round = 0;
      const next = (): number => round++;
      const runs = await interleaved(RUNS, {
        serve: () => putObjects(sides[0]!.client, `run-${next()}`, PUTS),
        s3rver: () => putObjects(sides[1]!.client, `run-${next()}`, PUTS),
      });
      const [viaServe, viaS3rver] = [runs.serve.median, runs.s3rver.median];
      return [
        {
          name: 'PutObject 1 KiB via SDK: serve, HTTP/1.1 (SDK default)',
          value: viaServe!,
          unit: 'puts/s',
          baselineName: 's3rver 3.7.1 on a directory, HTTP/1.1',
          baselineValue: viaS3rver!,
          higherIsBetter: true,
        },
      ];
    } finally {
      for (const side of sides) side.client.destroy();
      await served.close();
      await s3rver.close();
    }
  },
};
