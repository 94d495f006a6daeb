/**
 * Creating a bucket, stream or consumer that other engine processes may be creating at the same
 * moment. Every creation the backend makes is idempotent (the same name and configuration from
 * every process), but on a replicated cluster (seen on nats-server 2.9) several processes
 * creating one asset together can get a request timeout (the meta leader busy with the others'
 * proposals), "stream name already in use" (the client checked for the stream, found none, and
 * another process's add landed first), no responders (a meta leader election) or, for a stream
 * another process has just made, "stream not found" (a watch's consumer asked for it before its
 * group was ready). A second try then finds the asset made. So each creation is retried on exactly those answers, a bounded
 * number of times with growing pauses (real time: the contention is the cluster's, not the
 * engine clock's); any other error, or the last one, is thrown as it came.
 */

/** Tries in all, and the first pause (doubled after each try, with jitter). */
const ATTEMPTS = 6;
const FIRST_PAUSE_MS = 100;

export async function contended<T>(
  create: () => Promise<T>,
  attempts = ATTEMPTS,
  retried: (err: unknown) => boolean = isContention,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (attempt >= attempts || !retried(err)) throw err;
      const pause = FIRST_PAUSE_MS * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
    }
  }
}

/** Any of the answers above, anywhere in the cause chain. */
export function isContention(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (
      e.name === 'TimeoutError' ||
      e.name === 'NoResponders' ||
      e.name === 'StreamNotFoundError' ||
      /timeout|timed out|already in use|no responders|temporarily unavailable/i.test(e.message)
    ) {
      return true;
    }
  }
  return false;
}
