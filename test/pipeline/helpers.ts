/** Helpers of the apply tests: the demo pipeline file, and an engine that records its calls. */
import { fileURLToPath } from 'node:url';
import type { Engine, LoadedPipeline, PipelineEngine, PipelineSpec } from '../../src/index.js';
import { loadPipelineFile } from '../../src/index.js';

export const DEMO_PIPELINE = fileURLToPath(
  new URL('../../examples/pipeline/lambdalite.config.json', import.meta.url),
);
export const DEMO_TEMPLATE = fileURLToPath(new URL('../../examples/sam/template.yaml', import.meta.url));

/** The demo pipeline file, loaded; `edit` changes a deep copy of its spec. */
export async function demoPipeline(edit: (spec: PipelineSpec) => void = () => {}): Promise<LoadedPipeline> {
  const loaded = await loadPipelineFile(DEMO_PIPELINE);
  const spec = structuredClone(loaded.document) as PipelineSpec;
  edit(spec);
  return { ...loaded, document: spec };
}

const MUTATING = /^(create|update|delete|put|add|remove|split|merge|increase|decrease)/;

/**
 * The engine's services behind proxies that record every method called (`service.method`);
 * `writes()` keeps only the calls that change something.
 */
export function recordingEngine(engine: Engine): {
  engine: PipelineEngine;
  calls: string[];
  writes: () => string[];
} {
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, service: T): T =>
    new Proxy(service, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(prop)}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const recorded = {
    region: engine.region,
    accountId: engine.accountId,
    iam: wrap('iam', engine.iam),
    buckets: wrap('buckets', engine.buckets),
    streams: wrap('streams', engine.streams),
    tables: wrap('tables', engine.tables),
    functions: wrap('functions', engine.functions),
    mappings: wrap('mappings', engine.mappings),
  } as PipelineEngine;
  return { engine: recorded, calls, writes: () => calls.filter((c) => MUTATING.test(c.split('.')[1] ?? '')) };
}
