/**
 * The backend seam: where an engine keeps what several engine processes could share. The
 * embedded default keeps everything in the engine's LevelDB; `jetstream()` from
 * `lambdalite/jetstream` keeps shard records in a NATS JetStream cluster. A backend supplies
 * the implementations `buildEngine` wires in; dispatch and the runtime never see which one runs.
 */
import type { MappingCoordination } from './dispatch/pull/coordination.js';
import type { PushQueueBackend } from './dispatch/push/queue-backend.js';
import type { Storage } from './storage/storage.js';
import { LevelShardStore } from './streams/level-shard-store.js';
import type { ShardStore } from './streams/shard-store.js';

/** Pass to `createEngine({ backend })`; the default is the embedded LevelDB backend. */
export interface EngineBackend {
  /** `'leveldb'`, `'jetstream'`. */
  readonly kind: string;
  /** @internal opens the backend's parts for one engine (called once by createEngine). */
  open(ground: BackendGround): Promise<BackendParts>;
}

/** @internal what a backend may build on: the engine's own storage. */
export interface BackendGround {
  readonly storage: Storage;
}

/** @internal the seam implementations of one open backend. */
export interface BackendParts {
  /** Records of every stream and table stream shard. */
  readonly shardStore: ShardStore;
  /** How engine processes on one cluster split mapping shards; absent: each polls every shard. */
  readonly coordination?: MappingCoordination;
  /** The async (push) queue shared by engine processes; absent: entries in the engine's LevelDB. */
  readonly pushQueue?: PushQueueBackend;
  /** Releases connections; runs after every part closed, before the engine's storage closes. */
  close(): Promise<void>;
}

/** The embedded backend: everything in the engine's LevelDB (the default). */
export function levelDbBackend(): EngineBackend {
  return {
    kind: 'leveldb',
    open: async ({ storage }) => ({ shardStore: new LevelShardStore(storage), close: async () => {} }),
  };
}
