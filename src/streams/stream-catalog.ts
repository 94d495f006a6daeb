/**
 * The stream catalog: Kinesis-style streams' and table streams' metadata (shards, parents and
 * children, retention, the uid naming their records) keyed by ARN, when engine processes share
 * them (src/storage/shared-catalog.ts). Absent, the shard log keeps it in the engine's LevelDB.
 */
import type { SharedCatalog } from '../storage/shared-catalog.js';
import type { StreamMeta } from './model.js';

export type StreamCatalog = SharedCatalog<StreamMeta>;
