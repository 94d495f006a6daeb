/**
 * A 3-node JetStream cluster on loopback ports in a temporary directory, for the tests of the
 * JetStream backend. `startCluster()` spawns Debian's `nats-server` three times (its own client,
 * cluster and store per node), waits until JetStream answers through every node, and returns the
 * client URLs with `stop()` (SIGTERM, then the directory is removed). A missing `nats-server` is a
 * failure with the way to install it, never a skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface Cluster {
  readonly servers: string[];
  readonly dir: string;
  /** SIGKILLs node `index` (0-2), e.g. a stream leader under load. */
  kill(index: number): void;
  stop(): Promise<void>;
}

const NODES = 3;
const READY_MS = 20_000;

export function natsServerPath(): string {
  const path = process.env.NATS_SERVER ?? 'nats-server';
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `the JetStream backend tests need nats-server (2.9 or later) on PATH or in $NATS_SERVER; ` +
        `install it with "sudo apt-get install -y nats-server" (.ci/run does this). Tried ${path}: ` +
        `${probe.error?.message ?? probe.stderr}`,
    );
  }
  return path;
}

/** Free loopback TCP ports, taken from the kernel (listen on 0, read, close). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** `config`: more server configuration, appended to every node's file (e.g. users and permissions). */
export async function startCluster(options: { config?: string } = {}): Promise<Cluster> {
  const bin = natsServerPath();
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-nats-'));
  const ports = await freePorts(NODES * 2);
  const clientPorts = ports.slice(0, NODES);
  const routePorts = ports.slice(NODES);
  const children: Array<ChildProcess | undefined> = [];
  const logs: string[] = Array.from({ length: NODES }, () => '');
  // Kinesis appends reach 5 MiB (one putRecords on one shard): the backend requires room for it.
  const config = join(dir, 'node.conf');
  await writeFile(config, `max_payload: 8MB\n${options.config ?? ''}`);
  for (let i = 0; i < NODES; i++) {
    const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    const child = spawn(
      bin,
      [
        '-c',
        config,
        '-a',
        '127.0.0.1',
        '-p',
        String(clientPorts[i]),
        '-n',
        `n${i}`,
        '-js',
        '-sd',
        join(dir, `n${i}`),
        '--cluster_name',
        'lambdalite-test',
        '--cluster',
        `nats://127.0.0.1:${routePorts[i]}`,
        '--routes',
        routes,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      logs[i] = (logs[i] + chunk.toString('utf8')).slice(-4000);
    });
    children.push(child);
  }
  const servers = clientPorts.map((p) => `nats://127.0.0.1:${p}`);
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForJetStream(servers);
  } catch (err) {
    await stop();
    throw new Error(`the NATS cluster did not become ready: ${String(err)}\n${logs.join('\n')}`);
  }
  return {
    servers,
    dir,
    kill: (index) => children[index]?.kill('SIGKILL'),
    stop,
  };
}

/** Until a replicated stream can be created and removed (the meta leader is elected). */
async function waitForJetStream(servers: string[]): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers, timeout: 1_000 });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        await jsm.streams.add({ name: 'READY_PROBE', subjects: ['ready.probe'], num_replicas: NODES });
        await jsm.streams.delete('READY_PROBE');
        return;
      } finally {
        await nc.close();
      }
    } catch (err) {
      last = err;
      // The meta leader election takes a few hundred ms; retrying at once would just spin.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw last;
}

/**
 * Index (0-2) of the node leading the JetStream stream that holds the records of `prefix`'s one
 * lambdalite stream (`<prefix>_<ulid>`; the metrics and logs feeds' streams are not matched).
 */
export async function shardStreamLeader(cluster: Cluster, prefix: string): Promise<number> {
  const nc = await connect({ servers: cluster.servers });
  try {
    const jsm = await jetstreamManager(nc);
    const name = new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
    for await (const info of jsm.streams.list()) {
      if (!name.test(info.config.name)) continue;
      const index = Number((info.cluster?.leader ?? '').replace(/^n/, ''));
      if (Number.isInteger(index)) return index;
    }
    throw new Error(`no record stream of ${prefix} found`);
  } finally {
    await nc.close();
  }
}
