/**
 * The rules of one item write, apart from where the item is stored: the condition on the stored
 * item, the no-change rule, and the change record a write makes. The embedded write applies them
 * inside its LevelDB batch; a shared item store (table-items.ts) applies them again after each
 * lost compare-and-set.
 */
import { ulid } from 'ulid';
import { LambdaliteError } from '../errors.js';
import { md5Hex } from '../hash.js';
import { changeEventName, encodeChange } from './change-record.js';
import { canonical, marshalItem } from './marshal.js';
import type { AttributeMap, Item, ItemCondition, TableMeta } from './model.js';
import type { ItemDecision, PendingChange } from './table-items.js';

export function conditionHolds(condition: ItemCondition, old: AttributeMap | undefined): boolean {
  if ('attributeExists' in condition)
    return old !== undefined && Object.hasOwn(old, condition.attributeExists);
  return old === undefined || !Object.hasOwn(old, condition.attributeNotExists);
}

/** Throws ConditionalCheckFailedException unless the condition (if any) holds on `old`. */
export function checkCondition(condition: ItemCondition | undefined, old: AttributeMap | undefined): void {
  if (condition && !conditionHolds(condition, old)) {
    throw new LambdaliteError('ConditionalCheckFailedException', 'The conditional request failed');
  }
}

/** Whether `image` leaves the item as `old` was (no write, no record). */
export function unchanged(old: AttributeMap | undefined, image: AttributeMap | undefined): boolean {
  return old === image || (!old && !image) || (!!old && !!image && canonical(old) === canonical(image));
}

/** The write as a shared store runs it: the condition, then the next image unless nothing changes. */
export function itemDecision(
  condition: ItemCondition | undefined,
  next: (old: AttributeMap | undefined) => AttributeMap | undefined,
): ItemDecision {
  return (old) => {
    checkCondition(condition, old);
    const image = next(old);
    return unchanged(old, image) ? undefined : { image };
  };
}

/** The change record a write of a table with a stream owes its stream (undefined: no stream). */
export function pendingChange(
  at: { region: string; now: number },
  meta: TableMeta,
  key: Item,
  storageKey: string,
  old: AttributeMap | undefined,
  image: AttributeMap | undefined,
): PendingChange | undefined {
  if (!meta.streamViewType || !meta.streamArn) return undefined;
  const data = encodeChange({
    eventName: changeEventName(old, image),
    region: at.region,
    streamArn: meta.streamArn,
    now: at.now,
    keys: marshalItem(key),
    oldImage: old,
    newImage: image,
    viewType: meta.streamViewType,
  });
  return { id: ulid(), hash: md5Hex(storageKey), at: at.now, data: data.toString('base64') };
}
