/**
 * The resharding fence of a shared stream (docs/notes/jetstream.md, "Resharding a shared
 * stream"). A reshard closes its parents in the stream catalog first; other processes may still
 * have appends to a parent in flight at that moment. The fence is a marker message published on
 * the parent's subject right after the last chunk (its expected last subject sequence), naming
 * that chunk, whose last sequence number is the parent's real end. Every append
 * carries the same expectation, so one that reaches the stream after the marker is refused and
 * the writer routes its records again to the children. A reader decides the parent is drained
 * only once the marker is in place (placing it itself when the closing process died before it
 * did), so no acknowledged record can land after the point a reader stopped at.
 */
import type { StoredMsg } from '@nats-io/jetstream';
import { LambdaliteError } from '../../errors.js';
import { storedSequences } from '../../streams/record-codec.js';
import { isWrongLast, type PlaceDeps, publishInPlace } from './shard-slot.js';

/** The header marking a fence; its value is the JetStream sequence of the message it follows. */
const FENCE_HEADER = 'Lambdalite-Fence-After';
/** Tries at placing the fence while appends keep landing before it. */
const FENCE_ATTEMPTS = 20;
/** Fences followed back to the chunk before them (two fencers racing can stack two). */
const STACKED_FENCES = 4;

/** Whether a stored message of a shard subject is its fence. */
export function isFence(msg: StoredMsg): boolean {
  // A message stored without headers may come back without a header object.
  return (msg.header as StoredMsg['header'] | undefined)?.has(FENCE_HEADER) === true;
}

/**
 * The last sequence number a stored chunk holds; '' for a fence, which stands for no record
 * (the search over a subject ends at it; its end is {@link fenceEnd}).
 */
export function lastOf(msg: StoredMsg): string {
  if (isFence(msg)) return '';
  return storedSequences(Buffer.from(msg.data), '').at(-1) ?? '';
}

/** What placing a fence needs of the shard store. */
export interface FenceDeps {
  readonly place: PlaceDeps;
  /** The subject's last message, or null when it holds none. */
  last(): Promise<StoredMsg | null>;
}

/**
 * Publishes the subject's fence unless one is there, and returns the fence. The fence takes its
 * place after the subject's last message as an append does (shard-slot.ts), so an append and
 * the fence never both follow one message; it names that message in its header, and the
 * shard's end is that message's last sequence number ({@link fenceEnd}), so a fencer that lost
 * its place to an append publishes again at once after the message the refusal names (one round
 * trip, as a writer publishing back to back: a fair contest). Bounded: the caller (a reader
 * deciding whether the shard is drained) tries again on the next append.
 */
export async function placeFence(
  deps: FenceDeps,
  shard: { readonly subject: string; readonly stem: string },
  writer: string,
): Promise<StoredMsg> {
  let expected: number | undefined;
  for (let attempt = 1; attempt <= FENCE_ATTEMPTS; attempt++) {
    if (expected === undefined) {
      const msg = await deps.last();
      if (msg && isFence(msg)) return msg;
      expected = msg?.seq ?? 0;
    }
    const place = { ...shard, expected };
    try {
      const result = await publishInPlace(deps.place, place, '', writer, {
        [FENCE_HEADER]: String(expected),
      });
      if ('stored' in result) {
        const fence = await deps.place.at(result.stored.seq);
        if (fence) return fence;
      }
      expected = undefined;
    } catch (err) {
      if (!isWrongLast(err)) throw err;
      // 10071 names the subject's last sequence: publish after it at once.
      expected = lastSequenceIn(err);
    }
  }
  throw new LambdaliteError(
    'ServiceException',
    `the closed shard ${shard.subject} kept being appended to by other engine processes while its end was fenced: ` +
      `${FENCE_ATTEMPTS} attempts; the next read tries again`,
  );
}

/**
 * A fence's end: the last sequence number of the chunk it follows, undefined when the shard held
 * no record before it (or retention purged that chunk: its records are past retention anyway).
 */
export async function fenceEnd(
  fence: StoredMsg,
  at: (seq: number) => Promise<StoredMsg | null>,
): Promise<string | undefined> {
  let msg: StoredMsg | null = fence;
  for (let i = 0; msg && isFence(msg) && i < STACKED_FENCES; i++) {
    const after: number = Number(msg.header.get(FENCE_HEADER));
    msg = after > 0 ? await at(after) : null;
  }
  const end = msg && !isFence(msg) ? lastOf(msg) : '';
  return end === '' ? undefined : end;
}

/** The subject's last sequence a "wrong last sequence: N" refusal names, if it names one. */
function lastSequenceIn(err: unknown): number | undefined {
  const match = /wrong last sequence: (\d+)/.exec(err instanceof Error ? err.message : '');
  return match ? Number(match[1]) : undefined;
}
