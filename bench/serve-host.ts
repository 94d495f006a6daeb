/**
 * The servers the serve benchmarks compare, each started the same way: `serve` on a durable
 * engine, kinesalite 3.3.3 (LevelDB on disk or in memory) and s3rver 3.7.1, each on a loopback
 * port and a temporary directory. Run as a child process (`node serve-host.js <kind>`), a server
 * gets a process of its own: it reports its URL over IPC, its CPU time when asked (`'cpu'`) and
 * closes when told (`'close'`), so the benchmark's process holds only the client. `startServer`
 * runs one in the calling process instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import { createEngine, type Engine, type Server, serve } from '../src/index.js';

export type ServerKind = 'serve' | 'kinesalite-leveldb' | 'kinesalite-memory' | 's3rver';

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `lambdalite-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `serve` on a durable engine in a temporary directory. */
async function startServe(): Promise<RunningServer> {
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

/** kinesalite on a loopback port; `durable` puts its LevelDB store on disk (leveldown). */
async function startKinesalite(durable: boolean): Promise<RunningServer> {
  const { dir, remove } = await tempDir('kinesalite');
  const server = kinesalite({
    ...(durable ? { path: join(dir, 'db') } : {}),
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    // Every run creates streams; the default allows 10 shards in all.
    shardLimit: 100_000,
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

async function startS3rver(): Promise<RunningServer> {
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

export function startServer(kind: ServerKind): Promise<RunningServer> {
  switch (kind) {
    case 'serve':
      return startServe();
    case 'kinesalite-leveldb':
      return startKinesalite(true);
    case 'kinesalite-memory':
      return startKinesalite(false);
    case 's3rver':
      return startS3rver();
  }
}

const KINDS: readonly string[] = ['serve', 'kinesalite-leveldb', 'kinesalite-memory', 's3rver'];

// As a child process: start, report the URL, close on 'close' (or when the parent goes away).
if (process.send !== undefined && process.argv[1]?.endsWith('serve-host.js')) {
  const kind = process.argv[2] ?? '';
  if (!KINDS.includes(kind)) throw new Error(`serve-host: unknown server kind '${kind}'`);
  const server = await startServer(kind as ServerKind);
  const stop = async (): Promise<void> => {
    await server.close();
    process.disconnect();
  };
  process.on('message', (message) => {
    if (message === 'close') void stop();
    // The server's own CPU time so far (user + system, microseconds), for the CPU per record.
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ url: server.url });
}
