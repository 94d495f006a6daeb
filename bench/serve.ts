/**
 * `serve` through the real AWS SDK v3 clients (issue 16), beside the emulators people use
 * today, in the same run, with the same client, records and submission pattern on both sides:
 * - serve-kinesis: PutRecords (500 x 100 B) then GetRecords (Limit 10000) from TRIM_HORIZON
 *   through `@aws-sdk/client-kinesis`, against `serve` on an engine in a temporary directory
 *   (LevelDB) and against kinesalite 3.3.3 with its LevelDB store (leveldown, in a temporary
 *   directory): both durable. kinesalite's in-memory store (memdown) is measured too, as a
 *   second line. A round puts 40 batches (20,000 records) shared out over LANES lanes (4 calls
 *   in flight), each lane on a 1-shard stream of its own, then each lane reads its stream back
 *   READS times.
 *   The SDK's Kinesis client speaks cleartext HTTP/2 by default (NodeHttp2Handler); kinesalite
 *   only speaks HTTP/1.1, so its client gets the SDK's NodeHttpHandler with a keep-alive agent.
 *   serve is measured through that very handler (like for like: the target figure) and with
 *   the client's default (HTTP/2, a connection per call).
 * - serve-s3: PutObject 1 KiB, LANES in flight, through `@aws-sdk/client-s3` (its default
 *   handler, HTTP/1.1 keep-alive, path-style) against `serve` and against s3rver 3.7.1 on a
 *   temporary directory.
 * Every server runs in a process of its own (serve-host.ts; SERVE_BENCH_IN_PROCESS=1 puts them
 * in this process), so this process holds only the client: the client's CPU and garbage are
 * not charged to either server, and each server's CPU per record is read from its process.
 * Each run makes fresh streams (or fresh keys) on every side, the sides alternate within a run
 * so both see the same machine load, and each figure is the median of RUNS runs, after one
 * untimed warm-up round per side of the same size as a measured one.
 */
import { fork } from 'node:child_process';
import { Agent } from 'node:http';
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
import { type Benchmark, type Figure, interleaved, middle, rate } from './harness.js';
import { type RunningServer, type ServerKind, startServer } from './serve-host.js';

const RUNS = Number(process.env.SERVE_BENCH_RUNS ?? 5);
const BATCH = 500;
const BATCHES = Number(process.env.SERVE_BENCH_BATCHES ?? 40); // 20,000 records per run
const PUTS = Number(process.env.SERVE_BENCH_PUTS ?? 2000);
/** Calls in flight: each lane is one producer (and then one reader) on a stream of its own. */
const LANES = Number(process.env.SERVE_BENCH_LANES ?? 4);
/**
 * How many times each lane reads its stream back: one read of 5,000 records is a single
 * GetRecords call per lane, too short a phase to time on a shared machine.
 */
const READS = Number(process.env.SERVE_BENCH_READS ?? 4);
/** `1` runs the servers in the benchmark's process, beside the client (the first set-up). */
const IN_PROCESS = process.env.SERVE_BENCH_IN_PROCESS === '1';
/** Node options for the server processes only, e.g. `--cpu-prof --cpu-prof-dir=prof`. */
const SERVER_NODE_OPTIONS = (process.env.SERVE_BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const REGION = 'us-east-1';
// s3rver checks signatures made with its own fixed key pair; serve accepts any.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const batches: PutRecordsRequestEntry[][] = Array.from({ length: BATCHES }, (_, n) =>
  Array.from({ length: BATCH }, (_, i) => ({
    PartitionKey: `pk-${(n * BATCH + i) % 1000}`,
    Data: new Uint8Array(100).fill(i % 256),
  })),
);

/**
 * A server in a process of its own (the same script and options for every kind), so the
 * client's CPU and garbage are not the server's, and no server shares a heap with another.
 */
interface IsolatedServer extends RunningServer {
  /** The server process's CPU time so far, microseconds; undefined when it shares this process. */
  cpu(): Promise<number | undefined>;
}

async function startIsolated(kind: ServerKind): Promise<IsolatedServer> {
  if (IN_PROCESS) {
    const server = await startServer(kind);
    return { url: server.url, close: () => server.close(), cpu: async () => undefined };
  }
  const child = fork(new URL('./serve-host.js', import.meta.url), [kind], {
    execArgv: SERVER_NODE_OPTIONS,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before it listened`)));
    child.once('message', (message) => resolve((message as { url: string }).url));
  });
  child.removeAllListeners('exit');
  return {
    url,
    cpu: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { cpu: number }).cpu));
        child.send('cpu');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

/** The SDK's own HTTP/1.1 handler, as kinesalite needs (the Kinesis client's default is HTTP/2). */
function http1Handler(): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) });
}

interface KinesisSide {
  label: string;
  client: KinesisClient;
  server: IsolatedServer;
}

/**
 * Rate of `count` records put or read by `fn`, the server's CPU microseconds per record, and
 * the client's (this process's: with the servers in their own processes, only the client's).
 */
async function measured(
  server: IsolatedServer,
  count: number,
  fn: () => Promise<void>,
): Promise<{ rate: number; cpu: number | undefined; clientCpu: number }> {
  const before = await server.cpu();
  const client = process.cpuUsage();
  const perSecond = await rate(count, fn);
  const { user, system } = process.cpuUsage(client);
  const after = await server.cpu();
  return {
    rate: perSecond,
    cpu: before === undefined || after === undefined ? undefined : (after - before) / count,
    clientCpu: (user + system) / count,
  };
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

/** Runs `lanes` copies of `lane` at once (lane i gets i): one call in flight per lane. */
async function inLanes(lanes: number, lane: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
}

/**
 * One round on fresh streams (one per lane): records/s of putting `count` batches (shared out
 * over the lanes, each lane putting to its own stream), then of reading them all back.
 */
async function kinesisRound(
  side: KinesisSide,
  name: string,
  count: number,
): Promise<{
  put: number;
  get: number;
  putCpu: number | undefined;
  getCpu: number | undefined;
  putClientCpu: number;
  getClientCpu: number;
}> {
  const { client, server } = side;
  const lanes = Math.min(LANES, count);
  const streamOf = (lane: number): string => `${name}-${lane}`;
  const batchesOf = (lane: number): number => Math.floor(count / lanes) + (lane < count % lanes ? 1 : 0);
  await inLanes(lanes, (lane) => createActiveStream(client, streamOf(lane)));
  const put = await measured(server, count * BATCH, () =>
    inLanes(lanes, async (lane) => {
      for (let n = 0; n < batchesOf(lane); n++) {
        const out = await client.send(
          new PutRecordsCommand({
            StreamName: streamOf(lane),
            Records: batches[(n * lanes + lane) % BATCHES]!,
          }),
        );
        if (out.FailedRecordCount) throw new Error(`${side.label}: ${out.FailedRecordCount} records failed`);
      }
    }),
  );
  /** Reads a lane's stream from TRIM_HORIZON to its last record: the records read. */
  const readLane = async (lane: number): Promise<number> => {
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: streamOf(lane),
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    let laneRead = 0;
    while (laneRead < batchesOf(lane) * BATCH) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = page.Records ?? [];
      if (records.length === 0) throw new Error(`${side.label}: empty page after ${laneRead} records`);
      laneRead += records.length;
      iterator = page.NextShardIterator;
    }
    return laneRead;
  };
  let read = 0;
  const get = await measured(server, READS * count * BATCH, () =>
    inLanes(lanes, async (lane) => {
      for (let pass = 0; pass < READS; pass++) {
        // Not `read += await ...`: that reads `read` before the await, and the lanes interleave.
        const records = await readLane(lane);
        read += records;
      }
    }),
  );
  if (read !== READS * count * BATCH)
    throw new Error(`${side.label}: read ${read} of ${READS * count * BATCH} records`);
  return {
    put: put.rate,
    get: get.rate,
    putCpu: put.cpu,
    getCpu: get.cpu,
    putClientCpu: put.clientCpu,
    getClientCpu: get.clientCpu,
  };
}

export const serveKinesisBenchmark: Benchmark = {
  name: 'serve-kinesis',
  async run(): Promise<Figure[]> {
    const served = await startIsolated('serve');
    const durable = await startIsolated('kinesalite-leveldb');
    const memory = await startIsolated('kinesalite-memory');
    const client = (endpoint: string, http1: boolean): KinesisClient =>
      new KinesisClient({
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        maxAttempts: 1,
        ...(http1 ? { requestHandler: http1Handler() } : {}),
      });
    const sides: KinesisSide[] = [
      { label: 'serve, HTTP/1.1', client: client(served.url, true), server: served },
      { label: 'serve, HTTP/2', client: client(served.url, false), server: served },
      { label: 'kinesalite LevelDB, HTTP/1.1', client: client(durable.url, true), server: durable },
      { label: 'kinesalite memory, HTTP/1.1', client: client(memory.url, true), server: memory },
    ];
    try {
      // One untimed round of the same size first on every side (the harness's rule), then the
      // sides alternate; each round gives both a put and a get rate, so `interleaved` (one
      // figure per call) is not used here.
      for (const [i, side] of sides.entries()) await kinesisRound(side, `warm-${i}`, BATCHES);
      const samples = sides.map(() => ({
        put: [] as number[],
        get: [] as number[],
        putCpu: [] as number[],
        getCpu: [] as number[],
        putClientCpu: [] as number[],
        getClientCpu: [] as number[],
      }));
      for (let run = 0; run < RUNS; run++) {
        for (const [i, side] of sides.entries()) {
          const round = await kinesisRound(side, `bench-${run}-${i}`, BATCHES);
          const into = samples[i]!;
          into.put.push(round.put);
          into.get.push(round.get);
          if (round.putCpu !== undefined) into.putCpu.push(round.putCpu);
          if (round.getCpu !== undefined) into.getCpu.push(round.getCpu);
          into.putClientCpu.push(round.putClientCpu);
          into.getClientCpu.push(round.getClientCpu);
        }
      }
      const [h1, h2, level, memory] = samples.map((s) => ({
        put: middle(s.put),
        get: middle(s.get),
        putCpu: middle(s.putCpu),
        getCpu: middle(s.getCpu),
        putClientCpu: middle(s.putClientCpu),
        getClientCpu: middle(s.getClientCpu),
      }));
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
      const cpuFigure = (
        name: string,
        value: number,
        baselineName: string,
        baselineValue: number,
      ): Figure => ({
        name,
        value,
        unit: 'us CPU/record',
        baselineName,
        baselineValue,
        higherIsBetter: false,
      });
      const setUp = IN_PROCESS ? "servers in the client's process" : `${LANES} in flight`;
      const put = `PutRecords 500 x 100 B via SDK (${setUp})`;
      const get = `GetRecords (Limit 10000) via SDK (${setUp})`;
      const kl = 'kinesalite 3.3.3 LevelDB, HTTP/1.1';
      const km = 'kinesalite 3.3.3 in memory, HTTP/1.1';
      const figures = [
        figure(`${put}: serve, HTTP/1.1`, h1!.put, kl, level!.put, 5),
        figure(`${put}: serve, HTTP/2 (SDK default)`, h2!.put, kl, level!.put),
        figure(`${put}: serve, HTTP/1.1`, h1!.put, km, memory!.put),
        figure(`${get}: serve, HTTP/1.1`, h1!.get, kl, level!.get, 5),
        figure(`${get}: serve, HTTP/2 (SDK default)`, h2!.get, kl, level!.get),
        figure(`${get}: serve, HTTP/1.1`, h1!.get, km, memory!.get),
      ];
      if (!IN_PROCESS) {
        figures.push(
          cpuFigure('PutRecords: server process CPU, serve HTTP/1.1', h1!.putCpu, kl, level!.putCpu),
          cpuFigure('PutRecords: server process CPU, serve HTTP/2', h2!.putCpu, kl, level!.putCpu),
          cpuFigure('GetRecords: server process CPU, serve HTTP/1.1', h1!.getCpu, kl, level!.getCpu),
          cpuFigure('GetRecords: server process CPU, serve HTTP/2', h2!.getCpu, kl, level!.getCpu),
          // The same client code on both sides: what bounds every rate ratio above.
          cpuFigure(
            'PutRecords: client process CPU, serve HTTP/1.1',
            h1!.putClientCpu,
            kl,
            level!.putClientCpu,
          ),
          cpuFigure(
            'GetRecords: client process CPU, serve HTTP/1.1',
            h1!.getClientCpu,
            kl,
            level!.getClientCpu,
          ),
        );
      }
      return figures;
    } finally {
      for (const side of sides) side.client.destroy();
      await served.close();
      await durable.close();
      await memory.close();
    }
  },
};

const OBJECT = Buffer.alloc(1024, 7);

async function putObjects(client: S3Client, prefix: string, count: number): Promise<number> {
  const lanes = Math.min(LANES, count);
  return rate(count, () =>
    inLanes(lanes, async (lane) => {
      for (let i = lane; i < count; i += lanes) {
        await client.send(new PutObjectCommand({ Bucket: 'bench', Key: `${prefix}/${i}`, Body: OBJECT }));
      }
    }),
  );
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
    const served = await startIsolated('serve');
    const s3rver = await startIsolated('s3rver');
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
      const cpu = { serve: [] as number[], s3rver: [] as number[] };
      const timed = async (side: 0 | 1): Promise<number> => {
        const { rate: perSecond, cpu: perPut } = await measured(
          side === 0 ? served : s3rver,
          PUTS,
          async () => {
            await putObjects(sides[side]!.client, `run-${next()}`, PUTS);
          },
        );
        if (perPut !== undefined) cpu[side === 0 ? 'serve' : 's3rver'].push(perPut);
        return perSecond;
      };
      const runs = await interleaved(RUNS, { serve: () => timed(0), s3rver: () => timed(1) });
      const baselineName = 's3rver 3.7.1 on a directory, HTTP/1.1';
      const setUp = IN_PROCESS ? "servers in the client's process" : `${LANES} in flight`;
      const figures: Figure[] = [
        {
          name: `PutObject 1 KiB via SDK (${setUp}): serve, HTTP/1.1 (SDK default)`,
          value: runs.serve.median,
          unit: 'puts/s',
          baselineName,
          baselineValue: runs.s3rver.median,
          higherIsBetter: true,
        },
      ];
      if (!IN_PROCESS) {
        // The warm-up round's samples are in `cpu` too: drop them as `interleaved` does.
        figures.push({
          name: 'PutObject: server process CPU, serve',
          value: middle(cpu.serve.slice(1)),
          unit: 'us CPU/put',
          baselineName,
          baselineValue: middle(cpu.s3rver.slice(1)),
          higherIsBetter: false,
        });
      }
      return figures;
    } finally {
      for (const side of sides) side.client.destroy();
      await served.close();
      await s3rver.close();
    }
  },
};
