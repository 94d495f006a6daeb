import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, loadPipelineFile, PipelineError } from '../../src/index.js';
import { openEngine, tempDir } from '../helpers/engines.js';
import { FIXTURES } from '../helpers/functions.js';
import { DEMO_PIPELINE } from './helpers.js';

async function file(name: string, text: string): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, text);
  return path;
}

async function problems(path: string): Promise<PipelineError> {
  const engine = await openEngine();
  const err = await loadPipelineFile(path)
    .then((loaded) => apply(engine, loaded))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(PipelineError);
  expect(await engine.tables.list()).toEqual([]); // nothing written, not even the record
  return err as PipelineError;
}

describe('pipeline files', () => {
  it('names the file, the resource and the field of every problem, and applies nothing', async () => {
    const path = await file(
      'lambdalite.config.json',
      JSON.stringify({
        streams: [{ name: 'feed', shardCount: 'two' }],
        functions: [{ name: 'f', handler: 'index.handler', code: { directory: '.' }, memory: 256 }],
        buckets: [{ name: 'a' }, { name: 'a' }],
        mappings: 'none',
        queues: [],
      }),
    );
    const err = await problems(path);
    expect(err.code).toBe('ValidationError');
    expect(err.issues.map((i) => [i.file, i.resource, i.field, i.message])).toEqual(
      expect.arrayContaining([
        [path, undefined, 'queues', expect.stringContaining('unknown top-level key')],
        [path, "streams[0] 'feed'", 'shardCount', 'must be a number, got "two"'],
        [path, "functions[0] 'f'", 'role', 'is required'],
        [
          path,
          "functions[0] 'f'",
          'memory',
          expect.stringContaining('unknown field; expected one of name, handler'),
        ],
        [path, "buckets[1] 'a'", undefined, "declares the same bucket as buckets[0] 'a'"],
        [path, undefined, 'mappings', 'must be a list, got "none"'],
      ]),
    );
    expect(err.message).toContain(`${path}: streams[0] 'feed': shardCount: must be a number, got "two"`);
  });

  it('reports a file that is not JSON, has an unknown extension or does not exist', async () => {
    const bad = await file('lambdalite.config.json', '{ "roles": [ }');
    expect((await problems(bad)).message).toMatch(/lambdalite\.config\.json: is not valid JSON/);
    const toml = await file('pipeline.toml', '');
    expect((await problems(toml)).message).toContain('has an unknown extension');
    expect((await problems(join(await tempDir(), 'missing.json'))).message).toContain('cannot be read');
  });

  it("re-raises an engine error during apply with the resource in front and the engine's code", async () => {
    const engine = await openEngine();
    const err = await apply(
      engine,
      {
        streams: [{ name: 'ok' }],
        functions: [
          {
            name: 'f',
            handler: 'index.handler',
            code: { directory: FIXTURES },
            role: 'arn:aws:iam::000000000000:role/r',
            memoryMb: 100,
          },
        ],
      },
      { file: 'pipeline.json' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidParameterValueException' });
    expect((err as Error).message).toMatch(/^functions\[0\] 'f': .*memoryMb/);
    // What ran before the failure stays, and is recorded, so a corrected apply carries on.
    expect((await engine.streams.list()).map((s) => s.streamName)).toEqual(['ok']);
    const fixed = await apply(engine, {
      streams: [{ name: 'ok' }],
      functions: [
        {
          name: 'f',
          handler: 'index.handler',
          code: { directory: FIXTURES },
          role: 'arn:aws:iam::000000000000:role/r',
        },
      ],
    });
    expect(fixed.steps.map((s) => `${s.action} ${s.kind}`)).toEqual(['unchanged stream', 'create function']);
  });

  it('loads a module whose default export is the pipeline, with code relative to the module', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'handler.mjs'), 'export const handler = async (e) => ({ echo: e });\n');
    await writeFile(
      join(dir, 'pipeline.mjs'),
      `export default {
        functions: [{ name: 'echo', handler: 'handler.handler', code: { directory: '.' },
          role: 'arn:aws:iam::\${AWS::AccountId}:role/none' }],
      };\n`,
    );
    const engine = await openEngine();
    const loaded = await loadPipelineFile(join(dir, 'pipeline.mjs'));
    expect(loaded.kind).toBe('pipeline');
    await apply(engine, loaded);
    expect((await engine.functions.get('echo')).codePath).toBe(dir);
    expect((await engine.functions.invoke('echo', { a: 1 })).payload).toEqual({ echo: { a: 1 } });
  });

  it('the demo pipeline file loads as a pipeline and its template as SAM', async () => {
    expect((await loadPipelineFile(DEMO_PIPELINE)).kind).toBe('pipeline');
    const module = await file('empty.mjs', 'export const x = 1;\n');
    expect((await problems(module)).message).toContain('must have a default export');
  });
});
