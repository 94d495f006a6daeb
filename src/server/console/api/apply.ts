/**
 * `POST /apply`: a pipeline the CLI loaded (`loadPipelineFile`, plain data) applied to the engine.
 * Code directories are read by the server, so the CLI and the server share a filesystem.
 */
import type { Hono } from 'hono';
import type { Engine } from '../../../engine.js';
import { LambdaliteError } from '../../../errors.js';
import { apply } from '../../../pipeline/apply.js';
import { formatPlan } from '../../../pipeline/format.js';
import type { LoadedPipeline, PipelineSpec, SamTemplate } from '../../../pipeline/types.js';
import { jsonBody } from './http.js';

function invalid(message: string): LambdaliteError {
  return new LambdaliteError('ValidationError', message);
}

function loadedPipeline(value: unknown): LoadedPipeline {
  if (typeof value !== 'object' || value === null) throw invalid('pipeline must be an object');
  const { file, baseDir, kind, document } = value as Record<string, unknown>;
  if (typeof file !== 'string' || typeof baseDir !== 'string') {
    throw invalid('pipeline.file and pipeline.baseDir must be strings');
  }
  if (kind !== 'pipeline' && kind !== 'sam')
    throw invalid(`pipeline.kind must be pipeline or sam, got ${kind}`);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalid('pipeline.document must be an object');
  }
  return { file, baseDir, kind, document: document as PipelineSpec | SamTemplate };
}

function parameters(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('parameters must be an object of strings');
  }
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`parameters.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

export function applyRoutes(app: Hono, engine: Engine): void {
  app.post('/apply', async (c) => {
    const body = await jsonBody(c);
    const loaded = loadedPipeline(body.pipeline);
    const params = parameters(body.parameters);
    const plan = await apply(engine, loaded, {
      prune: body.prune === true,
      dryRun: body.dryRun === true,
      ...(params === undefined ? {} : { parameters: params }),
    });
    return c.json({ plan, text: formatPlan(plan) });
  });
}
