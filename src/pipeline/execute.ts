/**
 * Executing a plan: every engine call of every change, in phase order (all deletes, dependents
 * first; then creates and updates). A failing call stops the run and is re-raised naming the
 * resource; what ran stays done (like a CloudFormation update without rollback), and the record
 * of managed resources still says what exists.
 */
import { inResource } from './errors.js';
import type { Change, Op } from './plan/change.js';
import type { ManagedSet } from './state.js';

export async function execute(changes: readonly Change[], managed: ManagedSet): Promise<void> {
  const ops: { op: Op; change: Change }[] = [];
  for (const change of changes) for (const op of change.ops) ops.push({ op, change });
  // Array.prototype.sort is stable: calls of one phase keep the plan's order.
  ops.sort((a, b) => a.op.phase - b.op.phase);
  const left = new Map(changes.map((c) => [c, c.ops.length]));
  for (const { op, change } of ops) {
    try {
      await op.run();
    } catch (err) {
      throw inResource(err, change.where);
    }
    const remaining = (left.get(change) ?? 1) - 1;
    left.set(change, remaining);
    if (remaining === 0 && change.step.action === 'delete') managed.remove(change.step);
  }
}
