/**
 * Engines in the test process that share one prefix on one JetStream cluster, as copies of a
 * service on several machines would (each with its own in-memory LevelDB, so whatever one
 * serves of another's configuration came through the cluster). Each engine's backend is
 * tapped: `changes$` emits after the engine itself took a change written elsewhere (the engine
 * subscribed to the same source first), the event a test awaits instead of sleeping.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { merge, Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BackendParts, EngineBackend } from '../../src/backend.js';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';
import { firstMatch } from '../helpers/engines.js';
import { type Cluster, startCluster } from './cluster.js';

/** A configuration change as the engine's stores report it (function, policy or role). */
export type SharedChange =
  | { readonly store: 'functions'; readonly kind: 'configuration' | 'policy'; readonly name: string }
  | { readonly store: 'roles'; readonly name: string; readonly deleted: boolean };

export interface SharedEngine {
  readonly engine: Engine;
  /** Changes this engine's stores reported, each after the engine took it. */
  readonly changes$: Observable<SharedChange>;
}

export interface SharedEngineOptions {
  readonly servers: string[];
  readonly prefix: string;
  readonly leaseMs?: number;
  readonly pollMappings?: boolean;
  /** Replicas of every stream and bucket (default 1, see below). */
  readonly replicas?: number;
  readonly engine?: EngineOptions;
}

/** Opens an engine on the cluster under `prefix`; the caller closes it. */
export async function openSharedEngine(options: SharedEngineOptions): Promise<SharedEngine> {
  const backend = jetstream({
    servers: options.servers,
    prefix: options.prefix,
    // One replica: each test opens a dozen buckets under its own prefix, and hundreds of 3-replica
    // Raft groups slow a loaded 2-core machine's cluster past the bounds (replication itself is
    // covered by the streams suites and processes.test.ts).
    replicas: options.replicas ?? 1,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.pollMappings === undefined ? {} : { pollMappings: options.pollMappings }),
  });
  const { tapped, parts: partsOf } = tapBackend(backend);
  const engine = await createEngine({ ...options.engine, backend: tapped });
  const parts = partsOf();
  if (!parts?.functionStore?.changes$ || !parts.roleRecords?.changes$) {
    await engine.close();
    throw new Error('the jetstream backend supplied no shared configuration stores');
  }
  const functions$: Observable<SharedChange> = new Observable((subscriber) =>
    parts?.functionStore?.changes$?.subscribe((c) =>
      subscriber.next({ store: 'functions', kind: c.kind, name: c.name }),
    ),
  );
  const roles$: Observable<SharedChange> = new Observable((subscriber) =>
    parts?.roleRecords?.changes$?.subscribe((c) =>
      subscriber.next({ store: 'roles', name: c.key, deleted: c.record === undefined }),
    ),
  );
  return { engine, changes$: merge(functions$, roles$) };
}

/**
 * Starts waiting (call before the write that causes it) for `engine` to take a change matching
 * `predicate`; bounded by `ms`.
 */
export function changeSeen(
  shared: SharedEngine,
  predicate: (change: SharedChange) => boolean,
  ms = 20_000,
): Promise<SharedChange> {
  return firstMatch(shared.changes$, predicate, ms);
}

/** The cluster of a test file and the engines its tests opened (see {@link fileCluster}). */
export interface FileCluster {
  /** The running cluster (started before the file's first test). */
  cluster(): Cluster;
  /** Engines to close after the current test: push each one a test opens. */
  readonly opened: Engine[];
}

/**
 * Starts a cluster before the file's tests and stops it after them, and closes the engines a
 * test pushed on `opened` after that test. Call it at the top level of the file, before hooks of
 * the file's own that use the cluster (vitest runs after-hooks in reverse order: the file's run
 * before the cluster stops).
 */
export function fileCluster(): FileCluster {
  let cluster: Cluster | undefined;
  const opened: Engine[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((engine) => engine.close().catch(() => undefined)));
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return {
    cluster: () => {
      if (!cluster) throw new Error('the file cluster is not started yet (use it inside a test or hook)');
      return cluster;
    },
    opened,
  };
}

/** A NATS connection of the test file's own to its cluster (for looking at streams and buckets). */
export function fileConnection(cluster: () => Cluster): () => NatsConnection {
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    nc = await connect({ servers: cluster().servers });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
  }, 60_000);
  return () => {
    if (!nc) throw new Error('the file connection is not open yet (use it inside a test or hook)');
    return nc;
  };
}

/** A backend whose parts the test can read once the engine opened it. */
export function tapBackend(backend: EngineBackend): {
  tapped: EngineBackend;
  parts: () => BackendParts | undefined;
} {
  let parts: BackendParts | undefined;
  const tapped: EngineBackend = {
    kind: backend.kind,
    open: async (ground) => {
      parts = await backend.open(ground);
      return parts;
    },
  };
  return { tapped, parts: () => parts };
}
