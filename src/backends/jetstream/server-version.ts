/**
 * What the connected nats-server's version means for the engine. Before 2.9.21 a replicated
 * stream checks a publish's expected last subject sequence before its Raft proposal only, so two
 * conditional writes of one subject arriving together can both pass (nats-io/nats-server#4320).
 * Shard appends do not depend on it any more (their message ids name their place, shard-slot.ts),
 * but KV compare-and-set does: shard leases, checkpoints, the catalogs and the shared
 * configuration. One replica is safe on any version.
 */

/** The first server version whose replicated streams check the expectation in their Raft log. */
export const ORDERED_WRITERS_SINCE = '2.9.21';

/** `major.minor.patch` of a server version string (`2.9.10`, `2.10.7-beta`), or undefined. */
export function parseVersion(version: string | undefined): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether `version` is older than `than` (an unreadable version is not). */
export function olderThan(version: string | undefined, than: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(than);
  if (a === undefined || b === undefined) return false;
  for (let i = 0; i < 3; i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * The warning for a server whose replicated KV buckets may let two compare-and-set writes of one
 * key both pass, or undefined when it cannot.
 */
export function compareAndSetWarning(version: string | undefined, replicas: number): string | undefined {
  if (replicas <= 1 || !olderThan(version, ORDERED_WRITERS_SINCE)) return undefined;
  return (
    `the NATS server is ${version}: with ${replicas} replicas, servers before ${ORDERED_WRITERS_SINCE} ` +
    'may let two compare-and-set writes of one key from two engine processes at the same instant both pass ' +
    '(nats-io/nats-server#4320), which shard leases, checkpoints and the shared configuration rely on; ' +
    'upgrade the servers (2.10 or later) or use replicas: 1'
  );
}

let warned = false;

/** Says `compareAndSetWarning` once per process through Node's warning channel (`process.on('warning')`). */
export function warnAboutCompareAndSet(version: string | undefined, replicas: number): void {
  const message = compareAndSetWarning(version, replicas);
  if (message === undefined || warned) return;
  warned = true;
  process.emitWarning(message, { code: 'LAMBDALITE_NATS_CAS' });
}
