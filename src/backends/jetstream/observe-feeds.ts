/**
 * The metrics and logs feeds of one engine on JetStream (observe-feed.ts): what
 * `BackendParts.observe` holds.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { ObserveFeeds } from '../../observe/shared-feed.js';
import type { Storage } from '../../storage/storage.js';
import { feedMember, JetStreamFeed } from './observe-feed.js';

const DAY_MS = 86_400_000;
/**
 * How long the cluster keeps published minutes and lines (server time). A process copies what
 * it follows into its own storage, where the engine's retention applies; the cluster only needs
 * them long enough for a process that was down, or a new one, to catch up.
 */
const METRICS_MAX_AGE_MS = 15 * DAY_MS;
const LOGS_MAX_AGE_MS = 30 * DAY_MS;
/** How long a read waits for other processes' data to arrive before it fails. */
const CATCH_UP_MS = 30_000;

/** The feeds, and `close` to stop their outbox retries (before the engine's storage closes). */
export interface JetStreamFeeds extends ObserveFeeds {
  close(): Promise<void>;
}

export async function observeFeeds(
  js: JetStreamClient,
  jsm: JetStreamManager,
  storage: Storage,
  options: { prefix: string; replicas: number },
): Promise<JetStreamFeeds> {
  const member = await feedMember(storage);
  const feed = (kind: string, maxAgeMs: number): JetStreamFeed =>
    new JetStreamFeed(js, jsm, storage, { ...options, kind, member, maxAgeMs, catchUpMs: CATCH_UP_MS });
  const metrics = feed('metrics', METRICS_MAX_AGE_MS);
  const logs = feed('logs', LOGS_MAX_AGE_MS);
  // What an earlier run stored but could not publish (killed, or cut off from the cluster).
  // A failure leaves it in the outbox, retried while the engine runs: the engine still opens.
  await Promise.all([metrics, logs].map((feed) => feed.replay().catch(() => feed.retryLater())));
  return {
    metrics,
    logs,
    close: async () => {
      await Promise.all([metrics.close(), logs.close()]);
    },
  };
}
