/**
 * The backend seam: where an engine keeps what several engine processes could share. The
 * embedded default keeps everything in the engine's LevelDB; `jetstream()` from
 * `lambdalite/jetstream` keeps shard records in a NATS JetStream cluster. A backend supplies
 * the implementations `buildEngine` wires in; dispatch and the runtime never see which one runs.
 */
import type { BucketStoreFactory } from './buckets/bucket-store.js';
import type { MappingCoordination } from './dispatch/pull/coordination.js';
import type { PushQueueBackend } from './dispatch/push/queue-backend.js';
import type { FunctionStore } from './functions/function-store.js';
import type { RoleRecords } from './iam/roles/role-records.js';
import type { SharedMappingRecords } from './mappings/shared-records.js';
import type { ObserveFeeds } from './observe/shared-feed.js';
import type { Storage } from './storage/storage.js';
import { LevelShardStore } from './streams/level-shard-store.js';
import type { ShardStore } from './streams/shard-store.js';
import type { StreamCatalog } from './streams/stream-catalog.js';
import type { TableCatalog } from './tables/table-catalog.js';
import type { SharedTableItems } from './tables/table-items.js';

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
  /** Where buckets and objects live, with their notifications; absent: the engine's LevelDB. */
  readonly bucketStore?: BucketStoreFactory;
  /** Where metrics and logs of every engine process meet; absent: each process sees its own. */
  readonly observe?: ObserveFeeds;
  /** Function configurations, code and policies shared by every process; absent: LevelDB. */
  readonly functionStore?: FunctionStore;
  /** Roles and their policies shared by every process; absent: LevelDB. */
  readonly roleRecords?: RoleRecords;
  /** Mapping settings shared by every process (each runs every mapping); absent: per process. */
  readonly sharedMappings?: SharedMappingRecords;
  /** The async (push) queue shared by engine processes; absent: entries in the engine's LevelDB. */
  readonly pushQueue?: PushQueueBackend;
  /**
   * Stream and table metadata shared by every process (together: a table's stream is shared
   * with its table); absent: the engine's LevelDB.
   */
  readonly catalogs?: { readonly streams: StreamCatalog; readonly tables: TableCatalog };
  /** Table items shared by every process (with their change records owed); absent: LevelDB. */
  readonly tableItems?: SharedTableItems;
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
