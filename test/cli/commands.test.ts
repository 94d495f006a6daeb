/**
 * The `lambdalite` binary against a real `serve` on a loopback port: each command's happy path,
 * bad arguments (exit 2), refusals with their AWS code (exit 1), no server (exit 3), and
 * `logs tail --follow` printing a line while the invocation that wrote it still runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePipeline as pipeline } from '../helpers/console-pipeline.js';
import { Gates } from '../helpers/gates.js';
import { type Served, startServed } from '../server/harness.js';
import { run, start } from './run.js';

let served: Served;
let dir: string;
let endpoint: string[];
let pipelineFile: string;

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

beforeAll(async () => {
  served = await startServed();
  endpoint = ['--endpoint', served.server.url];
  dir = await mkdtemp(join(tmpdir(), 'lambdalite-cli-'));
  pipelineFile = join(dir, 'lambdalite.config.json');
  await writeFile(pipelineFile, JSON.stringify(pipeline()));
  const applied = await run(['apply', pipelineFile, ...endpoint]);
  expect(applied.stderr).toBe('');
  expect(applied.stdout).toContain('+ create    function echo');
  expect(applied.code).toBe(0);
  await served.engine.buckets.putObject('cli-bucket', 'photos/one.jpg', 'jpeg bytes');
  await served.engine.tables.putItem('cli-table', { pk: 'a', sk: '1', note: 'first' });
}, 60_000);

afterAll(async () => {
  await served.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lambdalite CLI against a running serve', { timeout: 120_000 }, () => {
  it('prints help for the program and each command, exit 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['apply', 'invoke', 'logs', 'dead-letters', 'status', 'functions', 'buckets'])
      expect(top.stdout).toContain(command);
    const tail = await run(['logs', 'tail', '--help']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('--follow');
    expect(tail.stdout).toContain('--endpoint');
  });

  it('apply: a second apply changes nothing; --dry-run and --json report the plan', async () => {
    const again = await run(['apply', pipelineFile, '--dry-run', '--json', ...endpoint]);
    expect(again.code).toBe(0);
    const plan = JSON.parse(again.stdout) as { dryRun: boolean; steps: { action: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(new Set(plan.steps.map((s) => s.action))).toEqual(new Set(['unchanged']));
  });

  it('apply: an invalid file exits 1 naming the file and the field', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ functions: [{ name: 'x', handler: 'a.b', memoryMb: 100 }] }));
    const out = await run(['apply', bad, ...endpoint]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('ValidationError');
    expect(out.stderr).toContain('bad.json');
  });

  it('invoke: payload from the argument, a file and stdin; --async queues', async () => {
    const arg = await run(['invoke', 'echo', '{"n":7}', ...endpoint]);
    expect([arg.code, arg.stdout.trim()]).toEqual([0, '{"n":7}']);
    const file = join(dir, 'event.json');
    await writeFile(file, '{"n":8}');
    const fromFile = await run(['invoke', 'echo', '--file', file, ...endpoint]);
    expect(fromFile.stdout.trim()).toBe('{"n":8}');
    const fromStdin = await run(['invoke', 'echo', '-', ...endpoint], '{"n":9}');
    expect(fromStdin.stdout.trim()).toBe('{"n":9}');
    const queued = await run(['invoke', 'echo', '{"n":1}', '--async', '--json', ...endpoint]);
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ statusCode: 202 });
  });

  it('invoke: bad JSON is a usage error (2); a missing function prints its code (1); a function error exits 1', async () => {
    const badJson = await run(['invoke', 'echo', '{nope', ...endpoint]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('not valid JSON');
    const missing = await run(['invoke', 'nope', '{}', ...endpoint]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ResourceNotFoundException');
    const failing = await run(['invoke', 'fails', '{}', ...endpoint]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('FunctionError Unhandled');
    expect(JSON.parse(failing.stdout)).toMatchObject({ errorMessage: expect.any(String) });
  });

  it('an unknown option or command exits 2 with the command help', async () => {
    const unknown = await run(['status', '--bogus', ...endpoint]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    expect((await run(['frobnicate'])).code).toBe(2);
    const since = await run(['logs', 'tail', 'echo', '--since', 'yesterday', ...endpoint]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('duration');
  });

  it('exits 3 with a clear message when no server answers', async () => {
    const port = await closedPort();
    const out = await run(['status', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(out.code).toBe(3);
    expect(out.stderr).toContain(`cannot reach a lambdalite server at http://127.0.0.1:${port}`);
    expect(out.stderr).toContain('lambdalite serve');
  });

  it('status and the resource lists show what apply made, as tables and as JSON', async () => {
    const status = await run(['status', ...endpoint]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('3 functions, 1 buckets, 1 streams');
    expect(status.stdout).toContain('echo');
    const lists: [string[], string][] = [
      [['functions', 'list'], 'gated'],
      [['functions', 'get', 'echo'], 'gate.handler'],
      [['buckets', 'list'], 'cli-bucket'],
      [['buckets', 'objects', 'cli-bucket'], 'photos/'],
      [['buckets', 'objects', 'cli-bucket', '--prefix', 'photos/'], 'photos/one.jpg'],
      [['streams', 'list'], 'cli-stream'],
      [['streams', 'describe', 'cli-stream'], 'shardId-000000000000'],
      [['tables', 'list'], 'cli-table'],
      [['tables', 'items', 'cli-table', 'a'], '"note":"first"'],
      [['mappings', 'list'], 'cli-stream'],
      [['roles', 'list'], 'cli-fn'],
      [['logs', 'groups'], '/aws/lambda/echo'],
    ];
    const outs = await Promise.all(lists.map(([args]) => run([...args, ...endpoint])));
    outs.forEach((out, i) => {
      expect(out.code, lists[i]![0].join(' ')).toBe(0);
      expect(out.stdout, lists[i]![0].join(' ')).toContain(lists[i]![1]);
    });
    const json = await run(['mappings', 'list', '--json', ...endpoint]);
    const [mapping] = JSON.parse(json.stdout) as { uuid: string }[];
    const one = await run(['mappings', 'get', mapping!.uuid, ...endpoint]);
    expect(one.stdout).toContain('CHECKPOINT');
  });

  it('metrics: a row for the minute of the invocations, with the chosen duration statistic', async () => {
    await served.engine.functions.invoke('echo', { n: 4 });
    const out = await run(['metrics', 'echo', '--stat', 'p99', '--period', '60', ...endpoint]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('DURATION p99');
    const json = await run(['metrics', 'echo', '--json', ...endpoint]);
    const rows = JSON.parse(json.stdout) as { invocations: number; duration: Record<string, number> }[];
    expect(rows.reduce((n, r) => n + r.invocations, 0)).toBeGreaterThan(0);
    expect(rows.at(-1)?.duration.p50).toBeGreaterThan(0);
    const bad = await run(['metrics', 'echo', '--period', '61', ...endpoint]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('multiple of 60');
  });

  it('dead-letters: lists an event that failed, and redrives it', async () => {
    const failed = firstValueFrom(
      served.engine.eventsOf$('async.failed').pipe(
        filter((e) => e.functionName === 'fails'),
        timeout(20_000),
      ),
    );
    await served.engine.functions.invokeAsync('fails', { letter: 1 });
    const { requestId } = await failed;
    const list = await run(['dead-letters', 'list', 'fails', ...endpoint]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(requestId);
    const redriven = await run(['dead-letters', 'redrive', 'fails', '--request-id', requestId, ...endpoint]);
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain(`redriven 1: ${requestId}`);
  });

  it('logs tail prints recent lines; --filter keeps the matching ones', async () => {
    await served.engine.functions.invoke('echo', { n: 3 });
    const all = await run(['logs', 'tail', 'echo', ...endpoint]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('REPORT RequestId');
    const filtered = await run(['logs', 'tail', '/aws/lambda/echo', '--filter', 'REPORT', ...endpoint]);
    expect(filtered.stdout).toContain('REPORT RequestId');
    expect(filtered.stdout).not.toContain('START RequestId');
  });

  it('logs tail --follow prints a line while the invocation that wrote it still runs', async () => {
    const gates = new Gates();
    const gate = gates.name('tail');
    const tail = start(['logs', 'tail', 'gated', '--follow', '--since', '0', ...endpoint]);
    try {
      await tail.waitFor('stderr', 'tailing /aws/lambda/gated');
      let finished = false;
      const invocation = served.engine.functions
        .invoke('gated', { waitFor: gate })
        .finally(() => (finished = true));
      await tail.waitFor('stdout', 'before the gate');
      expect(finished).toBe(false);
      gates.open(gate);
      expect((await invocation).payload).toBe('released');
      await tail.waitFor('stdout', 'after the gate');
    } finally {
      tail.child.kill('SIGINT');
    }
    expect((await tail.exit).code).toBe(0);
  });
});
