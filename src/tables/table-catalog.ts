/**
 * The table catalog: table metadata (keys, stream settings, the uid naming its items) keyed by
 * table name, when engine processes share it (src/storage/shared-catalog.ts). Absent, the table
 * service keeps it in the engine's LevelDB.
 */
import type { SharedCatalog } from '../storage/shared-catalog.js';
import type { TableMeta } from './model.js';

export type TableCatalog = SharedCatalog<TableMeta>;
