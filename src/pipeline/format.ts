/** The plan as text, one line per resource, for a terminal or a log. */
import type { Plan, PlanAction } from './types.js';

const SIGN: Readonly<Record<PlanAction, string>> = Object.freeze({
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  unchanged: '=',
});

/**
 * @example
 * console.log(formatPlan(await apply(engine, await loadPipelineFile('lambdalite.config.json'), { dryRun: true })));
 * // + create   function ingest
 * // ~ update   function index (memoryMb, environment)
 * // 2 to create, 1 to update, 0 to replace, 0 to delete, 5 unchanged (dry run: nothing changed)
 */
export function formatPlan(plan: Plan): string {
  const lines = plan.steps.map((s) => {
    const fields = s.changes.length > 0 ? ` (${s.changes.join(', ')})` : '';
    const reason = s.reason ? `: ${s.reason}` : '';
    return `${SIGN[s.action].padStart(3)} ${s.action.padEnd(9)} ${s.kind} ${s.id}${fields}${reason}`;
  });
  for (const r of plan.retained)
    lines.push(`    retained  ${r.kind} ${r.id} (no longer declared; apply with prune to delete)`);
  const count = (a: PlanAction): number => plan.steps.filter((s) => s.action === a).length;
  const status = plan.dryRun ? 'dry run: nothing changed' : plan.applied ? 'applied' : 'nothing to do';
  lines.push(
    `${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ` +
      `${count('delete')} to delete, ${count('unchanged')} unchanged (${status})`,
  );
  return lines.join('\n');
}
