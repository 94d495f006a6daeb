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
  /**
   * Replaces the extra configuration (as `startCluster`'s `config`) on every running node and
   * resolves once each reported its reload (SIGHUP; connected clients keep their connection and
   * get the new permissions), bounded.
   */
  reload(config: string): Promise<void>;
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
  const reloads: number[] = Array.from({ length: NODES }, () => 0);
  const reloaded: Array<() => void> = [];
  // Kinesis appends reach 5 MiB (one putRecords on one shard): the backend requires room for it.
  const config = join(dir, 'node.conf');
  await writeFile(config, `max_payload: 8MB\n${options.config ?? ''}`);
  // Each node's own settings in its file (a reload refuses settings given on the command line
  // that the file does not repeat), the shared ones included from node.conf.
  const routes = routePorts.map((p) => JSON.stringify(`nats://127.0.0.1:${p}`)).join(', ');
  for (let i = 0; i < NODES; i++) {
    const own = join(dir, `n${i}.conf`);
    await writeFile(
      own,
      [
        `server_name: "n${i}"`,
        'host: "127.0.0.1"',
        `port: ${clientPorts[i]}`,
        `jetstream { store_dir: ${JSON.stringify(join(dir, `n${i}`))} }`,
        `cluster { name: "lambdalite-test", host: "127.0.0.1", port: ${routePorts[i]}, routes: [${routes}] }`,
        'include "node.conf"',
        '',
      ].join('\n'),
    );
    const child = spawn(bin, ['-c', own], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      logs[i] = (logs[i] + text).slice(-4000);
      const done = text.match(/Reloaded server configuration/g)?.length ?? 0;
      if (done > 0) {
        reloads[i] = (reloads[i] ?? 0) + done;
        for (const wake of reloaded.splice(0)) wake();
      }
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
  const reload = async (extra: string): Promise<void> => {
    await writeFile(config, `max_payload: 8MB\n${extra}`);
    const running = children.flatMap((child, i) =>
      child && child.exitCode === null && child.signalCode === null ? [i] : [],
    );
    const before = running.map((i) => reloads[i] ?? 0);
    for (const i of running) children[i]?.kill('SIGHUP');
    const deadline = Date.now() + READY_MS;
    while (running.some((i, n) => (reloads[i] ?? 0) <= (before[n] ?? 0))) {
      if (Date.now() > deadline) {
        throw new Error(`the NATS nodes did not reload their configuration:\n${logs.join('\n')}`);
      }
      // Woken by the next reload line, or after a second to look at the deadline again.
      await new Promise<void>((resolve) => {
        reloaded.push(resolve);
        setTimeout(resolve, 1_000).unref();
      });
    }
  };
  return {
    servers,
    dir,
    kill: (index) => children[index]?.kill('SIGKILL'),
    reload,
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
