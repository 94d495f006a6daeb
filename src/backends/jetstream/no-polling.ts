/**
 * The coordination of a process started with `pollMappings: false`: it runs every shared
 * mapping's runner (so its views and state follow the cluster) but never joins a lease group,
 * so it is handed no shard and delivers nothing; the processes that poll split the shards.
 */
import type { MappingClaim, MappingCoordination } from '../../dispatch/pull/coordination.js';
import { LambdaliteError } from '../../errors.js';

export const noPolling: MappingCoordination = {
  join: (): MappingClaim => ({
    offer: () => undefined,
    commit: (shardId) =>
      Promise.reject(
        new LambdaliteError(
          'ServiceException',
          `shard ${shardId} is not polled by this process (pollMappings: false)`,
        ),
      ),
    close: async () => undefined,
  }),
};
