/**
 * `apply`: a pipeline spec or a SAM template -> validated spec -> plan -> engine calls. It uses
 * only the engine's public API; the engine itself knows nothing of files of declarations.
 */
import type { PipelineEngine } from './engine.js';
import { PipelineError } from './errors.js';
import { execute } from './execute.js';
import { isTemplate } from './load.js';
import { planChanges } from './plan.js';
import { translateTemplate } from './sam/translate.js';
import { readManaged, writeManaged } from './state.js';
import type { ApplyOptions, LoadedPipeline, PipelineSpec, Plan, SamTemplate } from './types.js';
import { validateSpec } from './validate.js';

const DEFAULT_STACK = 'lambdalite';

function isLoaded(input: unknown): input is LoadedPipeline {
  return (
    typeof input === 'object' && input !== null && 'document' in input && 'kind' in input && 'file' in input
  );
}

/**
 * Makes the engine hold what the spec declares: creates what is missing, updates in place what
 * AWS can change in place, replaces what it cannot (a stream's shard count, a table's keys),
 * and with `prune` deletes what an earlier apply of the same `stack` made and the spec no longer
 * names. Applying the same spec again writes nothing. Returns the plan (`formatPlan` prints it).
 *
 * @example
 * const plan = await apply(engine, await loadPipelineFile('template.yaml'), { dryRun: true });
 * console.log(formatPlan(plan));
 */
export async function apply(
  engine: PipelineEngine,
  input: PipelineSpec | SamTemplate | LoadedPipeline,
  options: ApplyOptions = {},
): Promise<Plan> {
  const loaded = isLoaded(input) ? input : undefined;
  const file = options.file ?? loaded?.file;
  const baseDir = options.baseDir ?? loaded?.baseDir ?? process.cwd();
  const stack = options.stack ?? DEFAULT_STACK;
  const document: unknown = loaded ? loaded.document : input;
  const { region, accountId } = engine;

  let spec: unknown = document;
  let origins: ReadonlyMap<object, string> | undefined;
  if (isTemplate(document)) {
    ({ spec, origins } = translateTemplate(document, {
      file,
      region,
      accountId,
      stack,
      parameters: options.parameters ?? {},
    }));
  } else if (options.parameters !== undefined) {
    throw new PipelineError([{ file, message: 'parameters apply to SAM templates only' }]);
  }
  const normal = await validateSpec(spec, {
    file,
    baseDir,
    region,
    accountId,
    ...(origins ? { origins } : {}),
  });
  const recorded = await readManaged(engine, stack);
  const { changes, retained, managed } = await planChanges(engine, normal, recorded, options.prune === true);

  const dryRun = options.dryRun === true;
  const blockers = changes.filter((c) => c.blocker !== undefined);
  if (blockers.length > 0 && !dryRun) {
    throw new PipelineError(blockers.map((c) => ({ file, resource: c.where, message: c.blocker ?? '' })));
  }
  const work = changes.some((c) => c.ops.length > 0);
  const plan = (applied: boolean): Plan => ({
    stack,
    dryRun,
    applied,
    steps: changes.map((c) => (c.blocker ? { ...c.step, reason: c.blocker } : c.step)),
    retained,
  });
  if (dryRun) return plan(false);
  try {
    if (work) await execute(changes, managed);
  } finally {
    await writeManaged(engine, stack, recorded, managed);
  }
  return plan(work);
}
