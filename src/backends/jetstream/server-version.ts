/**
 * What the connected nats-server's version means for the engine. Before 2.9.21 a replicated
 * stream checks a publish's expected last subject sequence before its Raft proposal only, so two
 * appends to one shard arriving together from two processes can both pass and land out of order
 * (nats-io/nats-server#4320); one writer per shard, or one replica, is safe on any version.
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
 * The warning for a server that cannot keep several writers of one shard in order with these
 * replicas, or undefined when it can.
 */
export function writersWarning(version: string | undefined, replicas: number): string | undefined {
  if (replicas <= 1 || !olderThan(version, ORDERED_WRITERS_SINCE)) return undefined;
  return (
    `the NATS server is ${version}: with ${replicas} replicas, servers before ${ORDERED_WRITERS_SINCE} ` +
    'may store two appends to one shard from two engine processes out of order ' +
    '(nats-io/nats-server#4320); write each shard from one process, use replicas: 1, or upgrade the servers'
  );
}

let warned = false;

/** Says `writersWarning` once per process through Node's warning channel (`process.on('warning')`). */
export function warnAboutWriters(version: string | undefined, replicas: number): void {
  const message = writersWarning(version, replicas);
  if (message === undefined || warned) return;
  warned = true;
  process.emitWarning(message, { code: 'LAMBDALITE_NATS_WRITERS' });
}
