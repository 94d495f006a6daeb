/**
 * The resharding fence of a shared stream (docs/notes/jetstream.md, "Resharding a shared
 * stream"). A reshard closes its parents in the stream catalog first; other processes may still
 * have appends to a parent in flight at that moment. The fence is a marker message published on
 * the parent's subject right after the last chunk it follows (its expected last subject
 * sequence), carrying that chunk's last sequence number: the parent's real end. Every append
 * carries the same expectation, so one that reaches the stream after the marker is refused and
 * the writer routes its records again to the children. A reader decides the parent is drained
 * only once the marker is in place (placing it itself when the closing process died before it
 * did), so no acknowledged record can land after the point a reader stopped at.
 */
import type { StoredMsg } from '@nats-io/jetstream';
import { LambdaliteError } from '../../errors.js';
import { storedSequences } from '../../streams/record-codec.js';
import { isWrongLast, type PlaceDeps, publishInPlace } from './shard-slot.js';

/** The header marking a fence; the message's body is the parent's last sequence number ('' when empty). */
const FENCE_HEADER = 'Lambdalite-Shard-End';
/** Tries at placing the fence while appends keep landing before it. */
const FENCE_ATTEMPTS = 20;

/** Whether a stored message of a shard subject is its fence. */
export function isFence(msg: StoredMsg): boolean {
  // A message stored without headers may come back without a header object.
  return (msg.header as StoredMsg['header'] | undefined)?.has(FENCE_HEADER) === true;
}

/** The last sequence number a stored message stands for: a chunk's last record, a fence's end. */
export function lastOf(msg: StoredMsg): string {
  if (isFence(msg)) return Buffer.from(msg.data).toString();
  return storedSequences(Buffer.from(msg.data), '').at(-1) ?? '';
}

/** What placing a fence needs of the shard store. */
export interface FenceDeps {
  readonly place: PlaceDeps;
  /** The subject's last message, or null when it holds none. */
  last(): Promise<StoredMsg | null>;
}

/**
 * Publishes the subject's fence unless one is there, and returns the shard's end: the last
 * sequence number before the fence, undefined when the shard holds no record. The fence takes
 * its place as an append does (shard-slot.ts), so an append and the fence never both follow one
 * message. Bounded: a shard appended to without pause by processes that did not yet see the
 * close can outrun it, and the caller (a reader deciding whether the shard is drained) tries
 * again later.
 */
export async function placeFence(
  deps: FenceDeps,
  shard: { readonly subject: string; readonly stem: string },
  writer: string,
): Promise<string | undefined> {
  for (let attempt = 1; attempt <= FENCE_ATTEMPTS; attempt++) {
    const msg = await deps.last();
    if (msg && isFence(msg)) return endOf(msg);
    const end = msg ? lastOf(msg) : '';
    const place = { ...shard, expected: msg?.seq ?? 0 };
    try {
      const result = await publishInPlace(deps.place, place, end, writer, { [FENCE_HEADER]: '1' });
      if ('stored' in result) return end === '' ? undefined : end;
    } catch (err) {
      if (!isWrongLast(err)) throw err;
    }
  }
  throw new LambdaliteError(
    'ServiceException',
    `the closed shard ${shard.subject} kept being appended to by other engine processes while its end was fenced: ` +
      `${FENCE_ATTEMPTS} attempts; the next read tries again`,
  );
}

/** A fence's end: undefined for a shard closed before any record. */
export function endOf(fence: StoredMsg): string | undefined {
  const end = Buffer.from(fence.data).toString();
  return end === '' ? undefined : end;
}
