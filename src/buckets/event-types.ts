/**
 * The S3 event types a notification configuration may name (reference §1.2): `s3:` prefix, a
 * family and a sub-type, with `*` allowed only as the whole last segment.
 */

/** Concrete S3 event types by family; a config may name one or the family's `*`. */
const EVENT_FAMILIES: Record<string, string[]> = {
  ObjectCreated: ['Put', 'Post', 'Copy', 'CompleteMultipartUpload'],
  ObjectRemoved: ['Delete', 'DeleteMarkerCreated'],
  ObjectRestore: ['Post', 'Completed', 'Delete'],
  Replication: [
    'OperationFailedReplication',
    'OperationMissedThreshold',
    'OperationReplicatedAfterThreshold',
    'OperationNotTracked',
  ],
  LifecycleExpiration: ['Delete', 'DeleteMarkerCreated'],
  ObjectTagging: ['Put', 'Delete'],
  ObjectAcl: ['Put'],
};
/** Event types that have no sub-type. */
const SINGLE_EVENTS = ['ReducedRedundancyLostObject', 'LifecycleTransition', 'IntelligentTiering'];

/** Expansions of valid names (a few dozen at most); every object write looks them up. */
const expanded = new Map<string, readonly string[]>();

/** The concrete event types (without 's3:') an event name of a configuration stands for. */
export function expandEventName(name: string): readonly string[] {
  const known = expanded.get(name);
  if (known) return known;
  const types = expand(name);
  if (types.length > 0) expanded.set(name, types);
  return types;
}

function expand(name: string): string[] {
  if (!name.startsWith('s3:')) return [];
  const [family, sub, ...rest] = name.slice(3).split(':');
  if (family === undefined || rest.length > 0) return [];
  if (sub === undefined) return SINGLE_EVENTS.includes(family) ? [family] : [];
  const subs = EVENT_FAMILIES[family];
  if (!subs) return [];
  if (sub === '*') return subs.map((s) => `${family}:${s}`);
  return subs.includes(sub) ? [`${family}:${sub}`] : [];
}
