/**
 * `lambdalite/jetstream`: the clustered backend. Loaded only through this subpath, so the
 * embedded default never loads the NATS client.
 *
 * @example
 * import { createEngine } from 'lambdalite';
 * import { jetstream } from 'lambdalite/jetstream';
 * const engine = await createEngine({ backend: jetstream({ servers: ['nats://10.0.0.1:4222'] }) });
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { EngineBackend } from '../../backend.js';
import { LambdaliteError } from '../../errors.js';
import type { StreamMeta } from '../../streams/model.js';
import type { TableMeta } from '../../tables/model.js';
import { JetStreamBucketStore } from './bucket-store.js';
import { contended } from './contended.js';
import { JetStreamCoordination } from './coordination.js';
import { KvCatalog } from './kv-catalog.js';
import { noPolling } from './no-polling.js';
import { observeFeeds } from './observe-feeds.js';
import { JetStreamPushQueue } from './push-queue.js';
import { warnAboutCompareAndSet } from './server-version.js';
import { JetStreamShardStore } from './shard-store.js';
import { openSharedConfiguration } from './shared-configuration.js';
import { JetStreamTableItems } from './table-items.js';

export interface JetStreamBackendOptions {
  /** The cluster's client URLs, e.g. `['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']`. */
  servers: string | string[];
  /** Replicas of every JetStream stream the engine creates: 1, 3 (default) or 5. */
  replicas?: number;
  /**
   * First token of the engine's subjects, stream and bucket names (default `'lambdalite'`);
   * engines that should share resources use the same prefix, separate applications different ones.
   */
  prefix?: string;
  /** More connection options (credentials, TLS, reconnect policy); `servers` above wins. */
  connection?: Omit<NodeConnectionOptions, 'servers'>;
  /**
   * Shard lease time in ms (default 10000, at least 300): the shards of a process that died move
   * to the others within about this; each process renews its leases every third of it.
   */
  leaseMs?: number;
  /**
   * Whether this process hands bucket notifications to its async queue (default true). False
   * for a process that only accepts writes (an upload front end whose functions run in the
   * other processes): its objects' events are then delivered by the processes that do.
   */
  bucketNotifications?: boolean;
  /**
   * How old (ms, server time, default 3600000, at least 1000) the chunks of an object put that
   * never completed (its process died before the object's description was stored) must be
   * before they are purged. Processes that deliver bucket notifications sweep every half of it;
   * a putObject whose body takes longer than half of it to store is refused (`SlowDown`), so a
   * sweep never takes the chunks of a put still under way. Give every process of a prefix the
   * same value: a sweep with a shorter one could take a slower process's put under way.
   */
  orphanChunkMs?: number;
  /**
   * How often (ms, default 2000, at least 50) a process checks the streams it reads for appends
   * whose wake-up notice it missed: a lost notice delays a reader by at most about this.
   */
  wakeCheckMs?: number;
  /**
   * Whether this process polls mapping shards (default true). Functions, roles and mappings are
   * shared: every process runs every mapping, its shards split between the polling processes;
   * `false` makes a process that only configures and writes (a producer) take no shard.
   */
  pollMappings?: boolean;
  /**
   * The async (push) queue shared by the processes. `ackWaitMs` (default 30000, at least 1000):
   * events a process held when it died go to the others after about this. `retryCheckMs`
   * (default 30000, at least 10): an event scheduled for later is looked at again at least this
   * often, so the engine clock decides when it is due.
   */
  asyncQueue?: { ackWaitMs?: number; retryCheckMs?: number };
  /**
   * Table items (shared by the processes). `pendingWaitMs` (default 5000, at least 50): a write
   * that finds another process's write of the item half done (its change record not yet on the
   * stream) waits this long for it to finish before appending that change itself.
   */
  tableItems?: { pendingWaitMs?: number };
  /**
   * Whether the engine says what it finds wrong with the cluster through Node's warning channel
   * (default true): today the `LAMBDALITE_NATS_CAS` warning, once per process, for a server
   * before 2.9.21 with replicas (its replicated KV compare-and-set, which leases, checkpoints and
   * the shared configuration rely on, can let two writers of one key both pass). `false`
   * silences it (a test suite that knows).
   */
  warnings?: boolean;
}

/** A 5 MiB append plus its chunk framing (sequence numbers, keys, lengths). */
const MIN_PAYLOAD = 6 * 1024 * 1024;
const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

/** The JetStream backend for `createEngine({ backend })`. Connects when the engine opens. */
export function jetstream(options: JetStreamBackendOptions): EngineBackend {
  const servers = typeof options?.servers === 'string' ? [options.servers] : options?.servers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    servers.some((s) => typeof s !== 'string' || s === '')
  ) {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.servers must be one or more NATS URLs, got ${JSON.stringify(options?.servers)}`,
    );
  }
  const replicas = options.replicas ?? 3;
  if (replicas !== 1 && replicas !== 3 && replicas !== 5) {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.replicas must be 1, 3 or 5, got ${JSON.stringify(options.replicas)}`,
    );
  }
  const leaseMs = integerAtLeast('leaseMs', options.leaseMs, 10_000, 300);
  const notifications = options.bucketNotifications ?? true;
  if (typeof notifications !== 'boolean') {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.bucketNotifications must be true or false, got ${JSON.stringify(options.bucketNotifications)}`,
    );
  }
  const wakeCheckMs = integerAtLeast('wakeCheckMs', options.wakeCheckMs, 2000, 50);
  const warnings = options.warnings ?? true;
  if (typeof warnings !== 'boolean') {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.warnings must be true or false, got ${JSON.stringify(options.warnings)}`,
    );
  }
  const orphanChunkMs = integerAtLeast('orphanChunkMs', options.orphanChunkMs, 3_600_000, 1_000);
  const pollMappings = options.pollMappings ?? true;
  if (typeof pollMappings !== 'boolean') {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.pollMappings must be a boolean, got ${JSON.stringify(options.pollMappings)}`,
    );
  }
  const ackWaitMs = integerAtLeast('asyncQueue.ackWaitMs', options.asyncQueue?.ackWaitMs, 30_000, 1_000);
  const retryCheckMs = integerAtLeast(
    'asyncQueue.retryCheckMs',
    options.asyncQueue?.retryCheckMs,
    30_000,
    10,
  );
  const pendingWaitMs = integerAtLeast(
    'tableItems.pendingWaitMs',
    options.tableItems?.pendingWaitMs,
    5000,
    50,
  );
  const prefix = options.prefix ?? 'lambdalite';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.prefix must be 1-32 letters, digits, '_' or '-', got ${JSON.stringify(options.prefix)}`,
    );
  }
  return {
    kind: 'jetstream',
    open: async ({ storage }) => {
      const nc = await connect({
        // Requests (every publish, every confirmed acknowledgement) otherwise build two Error
        // objects each for their stack traces: a few per cent of the CPU of a busy queue.
        noAsyncTraces: true,
        ...options.connection,
        servers,
        name: options.connection?.name ?? 'lambdalite',
      });
      try {
        const maxPayload = nc.info?.max_payload ?? 0;
        if (maxPayload < MIN_PAYLOAD) {
          throw new LambdaliteError(
            'InvalidArgument',
            `the NATS server's max_payload is ${maxPayload} bytes; lambdalite needs at least ${MIN_PAYLOAD} ` +
              '(one putRecords reaches 5 MiB): set "max_payload: 8MB" in the server configuration',
          );
        }
        // Compare-and-set of replicated KV buckets needs 2.9.21+ for two writers: said once.
        if (warnings) warnAboutCompareAndSet(nc.info?.version, replicas);
        const jsm = await contended(() => jetstreamManager(nc));
        const shardStore = new JetStreamShardStore(nc, jetstreamClient(nc), jsm, storage, {
          replicas,
          prefix,
          wakeCheckMs,
        });
        const owner = `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}-${randomUUID().slice(0, 8)}`;
        const coordination = pollMappings
          ? new JetStreamCoordination(nc, { prefix, replicas, leaseMs, owner })
          : noPolling;
        const js = jetstreamClient(nc);
        const observe = await observeFeeds(js, jsm, storage, { prefix, replicas });
        const pushQueue = await JetStreamPushQueue.open(nc, js, jsm, storage, {
          prefix,
          replicas,
          ackWaitMs,
          retryCheckMs,
          member: owner,
        });
        const shared = await openSharedConfiguration(nc, { prefix, replicas });
        const [streamCatalog, tableCatalog] = await Promise.all([
          KvCatalog.open<StreamMeta>(nc, `${prefix}_stream_meta`, (meta) => meta.arn, { replicas }),
          KvCatalog.open<TableMeta>(nc, `${prefix}_tables`, (meta) => meta.name, { replicas }),
        ]);
        const tableItems = new JetStreamTableItems(nc, storage, { prefix, replicas, pendingWaitMs });
        return {
          shardStore,
          coordination,
          bucketStore: (ground, sink) =>
            new JetStreamBucketStore(nc, js, jsm, ground, sink, {
              prefix,
              replicas,
              ackWaitMs: leaseMs,
              consume: notifications,
              orphanChunkMs,
            }),
          observe,
          pushQueue,
          ...shared.parts,
          catalogs: { streams: streamCatalog, tables: tableCatalog },
          tableItems,
          close: async () => {
            await pushQueue.close();
            await observe.close();
            await Promise.all([shared.close(), streamCatalog.close(), tableCatalog.close()]);
            await nc.drain();
          },
        };
      } catch (err) {
        await nc.close();
        throw err;
      }
    },
  };
}

/** An integer option of at least `min` (its default when absent); a message naming it otherwise. */
function integerAtLeast(name: string, value: number | undefined, fallback: number, min: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min) {
    throw new LambdaliteError(
      'InvalidArgument',
      `jetstream options.${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return chosen;
}
