/**
 * One publish into a shard subject's next place: after the message this process last saw there
 * (the expected last subject sequence), under a message id naming that place
 * (`uid.shard.expected`) rather than the writer.
 *
 * Why the id names the place: several processes may append to one shard. The expectation alone
 * refuses a stale append, but before nats-server 2.9.21 a replicated stream checks it against
 * what is stored, not against proposals still in its Raft log, so two appends arriving together
 * with the same expectation could both be stored (nats-io/nats-server#4320). Message-id
 * deduplication has no such gap: the second append of the same place is answered as a
 * duplicate and not stored, so at most one append takes each place on any server version, with
 * no lease or extra round trip on the path of an uncontended append. A duplicate is this
 * process's own publish again (its header says so: stored, done) or another process's (the
 * caller reads the subject's last message and numbers after it, as for a refused expectation).
 */
import type { JetStreamClient, PubAck, StoredMsg } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';

/** The header telling who published a message (`writer.count`), read back on a duplicate. */
const PUBLISHER_HEADER = 'Lambdalite-Publisher';
/** JSStreamDuplicateMessageConflictErr: a newer server's answer to a duplicate still in flight. */
const DUPLICATE_CONFLICT = 10158;
/** Places whose holder was purged (see publishInPlace) tried in a row before giving up. */
const PURGED_HOLDERS = 3;

export interface PlaceDeps {
  readonly js: JetStreamClient;
  /** The stored message at a stream sequence, or null when there is none (purged). */
  at(seq: number): Promise<StoredMsg | null>;
  /** Sends the publish (the caller retries a missing responder). */
  send(publish: () => Promise<PubAck>): Promise<PubAck>;
}

export interface Place {
  readonly subject: string;
  /** `uid.shard`: the message id's stem. */
  readonly stem: string;
  /** The JetStream sequence of the subject's last message as the publisher saw it (0: none). */
  readonly expected: number;
}

/** Stored: the publish's ack; taken: another append (or a fence) holds the place. */
export type PlaceResult = { readonly stored: PubAck } | { readonly taken: true };

let published = 0;

/**
 * Publishes `data` into `place`. Throws the server's refusal of a stale expectation
 * (`StreamWrongLastSequence`) as it came.
 */
export async function publishInPlace(
  deps: PlaceDeps,
  place: Place,
  data: Uint8Array | string,
  writer: string,
  extra?: Record<string, string>,
): Promise<PlaceResult> {
  const h = headers();
  const me = `${writer}.${++published}`;
  h.set(PUBLISHER_HEADER, me);
  for (const [key, value] of Object.entries(extra ?? {})) h.set(key, value);
  let msgID = `${place.stem}.${place.expected}`;
  for (let purged = 0; ; purged++) {
    let ack: PubAck;
    try {
      ack = await deps.send(() =>
        deps.js.publish(place.subject, data, {
          msgID,
          headers: h,
          expect: { lastSubjectSequence: place.expected },
        }),
      );
    } catch (err) {
      // A newer server answers a duplicate of a proposal still in flight with this conflict.
      if (err instanceof JetStreamApiError && err.code === DUPLICATE_CONFLICT) return { taken: true };
      throw err;
    }
    if (!ack.duplicate) return { stored: ack };
    const holder = ack.seq > 0 ? await deps.at(ack.seq) : undefined;
    if (holder?.header?.get(PUBLISHER_HEADER) === me) return { stored: ack };
    // The place's holder was purged (retention took the whole subject within the duplicate
    // window, or its shard was dropped): every contender sees the same holder sequence, so
    // they meet again under one new id.
    if (holder !== null || purged >= PURGED_HOLDERS) return { taken: true };
    msgID = `${msgID}.${ack.seq}`;
  }
}

/**
 * Whether the server refused a publish's expected last subject sequence: 10071 with the
 * subject's last sequence; 10164 (newer servers) when another append to the subject is in flight.
 */
export function isWrongLast(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** Whether an error is the server's "no message found" (a get of a purged sequence). */
export function isNoMessage(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound;
}
