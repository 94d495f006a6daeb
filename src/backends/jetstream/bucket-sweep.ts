/**
 * Chunks of object puts that never completed. A put publishes its body's chunks on
 * `$O.<store>.C.<nuid>`, then the description that names the nuid; a process killed between
 * the two (or a description publish that failed) leaves chunks no description names, which
 * nothing would ever read or delete. The sweep purges them once they are older than
 * `orphanChunkMs` on the server's clock:
 *
 * 1. The server's time now: the time the stream gives a marker message this sweep publishes
 *    (on a chunk subject of its own, purged at the end).
 * 2. The chunk subjects of the store (one STREAM.INFO), then the last description of every key
 *    (an ordered consumer, as a listing): a subject whose nuid no live description names is a
 *    candidate.
 * 3. A candidate whose first message is older than `orphanChunkMs` at the time of step 1 is
 *    purged.
 *
 * Why a put under way is safe: the writer refuses (and cleans up) a put whose chunks took longer
 * than half of `orphanChunkMs` (bucket-store.ts), so a put whose first chunk is older than
 * `orphanChunkMs` at step 1 published its description, if ever, at least half of it before
 * step 1, hence before step 2 read the descriptions: it is named there.
 */
import { randomUUID } from 'node:crypto';
import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type StoredMsg,
} from '@nats-io/jetstream';
import { consumeDescriptions } from './description-reader.js';
import { type Described, parse } from './object-descriptions.js';

/** The last description of every key of the store (deleted ones included), read once. */
export async function lastDescriptions(js: JetStreamClient, store: string): Promise<Described[]> {
  const out: Described[] = [];
  await consumeDescriptions(js, store, { deliver_policy: DeliverPolicy.LastPerSubject }, (d) => {
    const found = parse(d.seq, d.data);
    if (found) out.push(found);
  });
  return out;
}

/** Purges the store's chunk subjects older than `ageMs` that no description names; returns how many. */
export async function sweepOrphanChunks(
  js: JetStreamClient,
  jsm: JetStreamManager,
  store: string,
  ageMs: number,
): Promise<number> {
  const stream = `OBJ_${store}`;
  const marker = `$O.${store}.C.sweep${randomUUID().replaceAll('-', '')}`;
  const ack = await js.publish(marker, new Uint8Array(0));
  try {
    const now = (await get(jsm, stream, { seq: ack.seq }))?.time.getTime();
    if (now === undefined) return 0;
    const info = await jsm.streams.info(stream, { subjects_filter: `$O.${store}.C.>` });
    const subjects = Object.keys(info.state.subjects ?? {}).filter((s) => s !== marker);
    if (subjects.length === 0) return 0;
    const named = new Set(
      (await lastDescriptions(js, store))
        .filter((d) => !d.description.deleted && d.description.chunks > 0)
        .map((d) => `$O.${store}.C.${d.description.nuid}`),
    );
    let purged = 0;
    for (const subject of subjects) {
      if (named.has(subject)) continue;
      const first = await get(jsm, stream, { seq: 1, next_by_subj: subject });
      if (!first || now - first.time.getTime() <= ageMs) continue;
      await jsm.streams.purge(stream, { filter: subject });
      purged++;
    }
    return purged;
  } finally {
    await jsm.streams.purge(stream, { filter: marker }).catch(() => undefined);
  }
}

async function get(jsm: JetStreamManager, stream: string, query: object): Promise<StoredMsg | null> {
  try {
    // The plain message-get API answers from the stream leader (direct gets may lag).
    return await jsm.streams.getMessage(stream, query as { seq: number });
  } catch (err) {
    if (err instanceof Error && /not found/i.test(err.message)) return null;
    throw err;
  }
}
