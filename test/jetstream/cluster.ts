/**
 * A 3-node JetStream cluster on loopback ports in a temporary directory, for the tests of the
 * JetStream backend. `startCluster()` spawns Debian's `nats-server` three times (its own client,
 * cluster and store per node), waits for the nodes' log lines saying each listens and that the
 * JetStream metadata leader is elected, checks that a replicated stream can be created (again while a
 * late node is not a peer yet), and returns
 * the client URLs with `stop()` (SIGTERM, then the directory is removed). A missing
 * `nats-server` is a failure with the way to install it, never a skip.
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
  const readiness = new Readiness(NODES);
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
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      logs[i] = (logs[i] + text).slice(-4000);
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) readiness.line(i, line);
    });
    child.once('exit', (code, signal) => readiness.exited(i, code, signal));
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
    await readiness.ready(READY_MS);
    await probeJetStream(servers, READY_MS);
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

/**
 * Follows the nodes' log lines: the cluster is ready once every node logged "Server is ready"
 * (its client port listens) and some node named the JetStream metadata leader (the meta group
 * elected one). Not every node names it: one that joins after the election may log nothing about
 * the leader, so the replicated-stream probe that follows is what shows all three take part. A
 * node that exits first fails the wait at once.
 */
class Readiness {
  readonly #listening = new Set<number>();
  readonly #led = new Set<number>();
  #settle: ((err?: Error) => void) | undefined;
  #failure: Error | undefined;

  constructor(private readonly nodes: number) {}

  line(node: number, line: string): void {
    if (line.includes('Server is ready')) this.#listening.add(node);
    if (
      /Self is new JetStream cluster metadata leader|JetStream cluster new (remote )?metadata leader/.test(
        line,
      )
    ) {
      this.#led.add(node);
    }
    this.#check();
  }

  exited(node: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.#failure ??= new Error(
      `node n${node} exited (${signal ?? `code ${code}`}) before the cluster was ready`,
    );
    this.#check();
  }

  ready(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `not ready within ${ms} ms: listening ${[...this.#listening]}, knowing the metadata leader ${[...this.#led]}`,
            ),
          ),
        ms,
      );
      this.#settle = (err) => {
        clearTimeout(timer);
        this.#settle = undefined;
        if (err) reject(err);
        else resolve();
      };
      this.#check();
    });
  }

  #check(): void {
    if (!this.#settle) return;
    if (this.#failure) this.#settle(this.#failure);
    else if (this.#listening.size === this.nodes && this.#led.size > 0) this.#settle();
  }
}

/**
 * A replicated stream can be created and removed through the cluster. A node that joined after
 * the election may not be a peer of the metadata group yet ("no suitable peers for placement"):
 * the probe is then tried again, a bounded number of times, until all three take part.
 */
async function probeJetStream(servers: string[], ms: number): Promise<void> {
  const nc = await connect({ servers, timeout: 5_000 });
  const deadline = Date.now() + ms;
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    for (;;) {
      try {
        await jsm.streams.add({ name: 'READY_PROBE', subjects: ['ready.probe'], num_replicas: NODES });
        break;
      } catch (err) {
        if (!/no suitable peers/i.test(String(err)) || Date.now() > deadline) throw err;
        // The server answers at once; the next try waits for the peer to join (an external process).
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await jsm.streams.delete('READY_PROBE');
  } finally {
    await nc.close();
  }
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
