/**
 * Loading a pipeline from a file: `lambdalite.config.json` (or any `.json` pipeline), a
 * `.ts` / `.js` / `.mjs` module whose default export is the same object, or a SAM /
 * CloudFormation template (`template.yaml`, `.yml` or `.json`). A document with a `Resources`
 * section is a template; anything else is a pipeline spec.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PipelineError } from './errors.js';
import { parseTemplateText } from './sam/parse.js';
import type { LoadedPipeline, PipelineSpec, SamTemplate } from './types.js';

const MODULES = new Set(['.ts', '.mts', '.js', '.mjs', '.cjs']);
const TEXTS = new Set(['.json', '.yaml', '.yml', '.template']);

/** A template is told apart from a pipeline spec by its `Resources` section. */
export function isTemplate(document: unknown): document is SamTemplate {
  return typeof document === 'object' && document !== null && 'Resources' in document;
}

/**
 * Reads a pipeline file or a template; pass the result to `apply`.
 *
 * @example
 * const plan = await apply(engine, await loadPipelineFile('examples/pipeline/lambdalite.config.json'));
 * console.log(formatPlan(plan));
 */
export async function loadPipelineFile(path: string): Promise<LoadedPipeline> {
  const absolute = resolve(path);
  const ext = extname(absolute).toLowerCase();
  const fail = (message: string, cause?: unknown): never => {
    throw new PipelineError([{ file: path, message }], { cause });
  };
  let document: unknown;
  if (MODULES.has(ext)) {
    let loaded: { default?: unknown };
    try {
      loaded = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const hint = ext === '.ts' || ext === '.mts' ? ' (a TypeScript file needs a loader such as tsx)' : '';
      return fail(`cannot be imported${hint}: ${why}`, err);
    }
    document = await loaded.default;
    if (document === undefined) fail('must have a default export: the pipeline object');
  } else if (TEXTS.has(ext)) {
    const text = await readFile(absolute, 'utf8').catch((err: unknown) =>
      fail(`cannot be read: ${err instanceof Error ? err.message : String(err)}`, err),
    );
    if (ext === '.json') {
      try {
        document = JSON.parse(text);
      } catch (err) {
        fail(`is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, err);
      }
    } else {
      document = parseTemplateText(text, path);
    }
  } else {
    fail(`has an unknown extension; expected .json, .yaml, .yml, .ts, .js or .mjs`);
  }
  return {
    file: path,
    baseDir: dirname(absolute),
    kind: isTemplate(document) ? 'sam' : 'pipeline',
    document: document as PipelineSpec | SamTemplate,
  };
}
