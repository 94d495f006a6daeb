/**
 * The keys of a JetStream KV bucket, read from its stream's subjects (one STREAM.INFO request to
 * the leader, paged by the client) rather than with the client's `kv.keys()`: that one runs an
 * ordered push consumer and ends quietly, with whatever it had, when the consumer cannot be made
 * or its heartbeat comes first, so under load a listing could come back empty with no error.
 * This one answers every key stored when the request reached the leader, or throws.
 *
 * A deleted or purged key keeps its marker message, so it is listed too: callers read each key
 * and skip those without a value (kv.get answers them as DEL / PURGE entries).
 */
import { Bucket, type KV } from '@nats-io/kv';

export async function storedKeys(kv: KV, filter = '>'): Promise<string[]> {
  if (!(kv instanceof Bucket)) throw new TypeError('storedKeys needs a bucket opened by Kvm');
  const prefix = `$KV.${kv.bucket}.`;
  const info = await kv.jsm.streams.info(kv.stream, { subjects_filter: `${prefix}${filter}` });
  return Object.keys(info.state.subjects ?? {})
    .map((subject) => subject.slice(prefix.length))
    .sort();
}
