import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCredentials, parsePort } from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/program.js';
import { createEngine } from '../../src/index.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve(line);
    });
    child.on('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  url.catch(() => undefined); // a run that fails on purpose never prints one
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exit, stderr: () => stderr };
}

describe('lambdalite serve (CLI)', () => {
  it('applies --config, prints the URL, serves, and on SIGTERM closes with everything persisted', async () => {
    const data = await mkdtemp(join(tmpdir(), 'lambdalite-cli-'));
    dirs.push(data);
    const config = join(data, '..', `${data.split('/').at(-1)}.json`);
    await writeFile(
      config,
      JSON.stringify({ buckets: [{ name: 'declared' }], streams: [{ name: 'feed', shardCount: 2 }] }),
    );
    dirs.push(config);
    const cli = run(['serve', '--data', data, '--port', '0', '--config', config]);
    const url = await cli.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stderr()).toContain('2 to create');
    expect((await fetch(`${url}/kept`, { method: 'PUT' })).status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
    const engine = await createEngine({ location: data });
    expect((await engine.buckets.list()).map((b) => b.name)).toEqual(['declared', 'kept']);
    expect((await engine.streams.describe('feed')).openShardCount).toBe(2);
    await engine.close();
  });

  it('refuses a missing --config file before opening the engine, and a bad port or key pair', async () => {
    const data = join(tmpdir(), `lambdalite-cli-never-${process.pid}`);
    await expect(
      buildProgram().parseAsync(['serve', '--data', data, '--config', join(data, 'missing.json')], {
        from: 'user',
      }),
    ).rejects.toThrow('missing.json');
    expect(existsSync(data)).toBe(false);
    expect(() => parsePort('eighty')).toThrow('--port must be 0..65535, got eighty');
    expect(() => parsePort('65536')).toThrow('--port');
    expect(() => parseCredentials('nokey')).toThrow('--credentials must be KEY:SECRET');
  });
});
