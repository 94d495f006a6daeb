import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineEventOf, ManualClock } from '../../src/index.js';
import { collect, nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';

const decode = (logResult: string | undefined): string =>
  Buffer.from(logResult ?? '', 'base64').toString('utf8');

describe('console capture and Lambda log lines', () => {
  let engine: Engine;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeAll(async () => {
    engine = await createEngine({ clock });
  });
  afterAll(() => engine.close());

  it('captures every console level and raw stdout writes with the request id, between START and END', async () => {
    await createFixture(engine, 'logs', 'faults.logs');
    const lines = collect(
      engine.events$,
      8,
      (e) => e.type === 'function.log' && e.functionName === 'logs',
    ) as Promise<EngineEventOf<'function.log'>[]>;
    const result = await engine.functions.invoke('logs', {}, { logType: 'Tail' });
    const events = await lines;
    const id = result.requestId;
    expect(events.map((e) => [e.kind, e.level, e.message])).toEqual([
      ['platform', undefined, `START RequestId: ${id} Version: $LATEST`],
      ['user', 'INFO', 'hello world'],
      ['user', 'WARN', 'careful'],
      ['user', 'ERROR', 'shown'],
      ['user', 'DEBUG', 'details'],
      ['user', 'INFO', 'raw line'],
      ['platform', undefined, `END RequestId: ${id}`],
      ['platform', undefined, expect.stringMatching(/^REPORT RequestId: /)],
    ]);
    expect(events.every((e) => e.requestId === id && e.logGroupName === '/aws/lambda/logs')).toBe(true);
    expect(events[1]?.line).toBe(`2026-01-01T00:00:00.000Z\t${id}\tINFO\thello world`);
    const tail = decode(result.logResult);
    expect(tail).toContain(`START RequestId: ${id} Version: $LATEST\n`);
    expect(tail).toContain(`\t${id}\tWARN\tcareful\n`);
    expect(tail).toContain(`END RequestId: ${id}\n`);
  });

  it('writes REPORT with two-decimal duration, billed duration, memory size, measured memory and init duration on cold start only', async () => {
    await createFixture(engine, 'report', 'styles.promiseHandler', { memoryMb: 512 });
    const cold = decode((await engine.functions.invoke('report', { n: 1 }, { logType: 'Tail' })).logResult);
    const warm = decode((await engine.functions.invoke('report', { n: 2 }, { logType: 'Tail' })).logResult);
    const report =
      /REPORT RequestId: \S+\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: 512 MB\tMax Memory Used: (\d+) MB\t/;
    const [, duration, billed, used] = cold.match(report) ?? [];
    expect(Number(billed)).toBe(Math.max(1, Math.ceil(Number(duration))));
    expect(Number(used)).toBeGreaterThan(0);
    expect(Number(used)).toBeLessThan(512);
    expect(cold).toMatch(/Init Duration: \d+\.\d\d ms\t/);
    expect(warm).toMatch(report);
    expect(warm).not.toMatch(/Init Duration/);
  });

  it('logs output printed during init with an undefined request id', async () => {
    await createFixture(engine, 'init-log', 'init-log.handler');
    const line = nextEvent(engine, 'function.log', (e) => e.functionName === 'init-log' && e.kind === 'user');
    await engine.functions.invoke('init-log');
    expect((await line).line).toMatch(/\tundefined\tINFO\tinitialising$/);
  });

  it('logs a function error as an ERROR line', async () => {
    await createFixture(engine, 'err-log', 'faults.throws');
    const result = await engine.functions.invoke('err-log', {}, { logType: 'Tail' });
    expect(decode(result.logResult)).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"RangeError"/);
  });

  it('keeps only the last 4 KB of a long log in logResult', async () => {
    await createFixture(engine, 'chatty', 'faults.chatty');
    const result = await engine.functions.invoke('chatty', {}, { logType: 'Tail' });
    const tail = decode(result.logResult);
    expect(Buffer.byteLength(tail)).toBe(4096);
    expect(tail).not.toContain('START RequestId');
    expect(tail).toContain('line 199');
    expect(tail).toMatch(/REPORT RequestId: .*\n$/);
  });
});

describe('callbackWaitsForEmptyEventLoop', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ clock: new ManualClock() });
    await createFixture(engine, 'waits', 'faults.waitsForTimer');
    await createFixture(engine, 'no-wait', 'faults.doesNotWait');
  });
  afterAll(() => engine.close());

  it('answers a callback only once pending timers have run when the flag is true (the default)', async () => {
    const result = await engine.functions.invoke('waits', {}, { logType: 'Tail' });
    expect(result.payload).toBe('returned after the timer');
    const tail = decode(result.logResult);
    expect(tail.indexOf('timer fired')).toBeGreaterThan(0);
    expect(tail.indexOf('timer fired')).toBeLessThan(tail.indexOf('END RequestId'));
  });

  it('answers a callback at once, despite a pending timer, when the handler sets the flag to false', async () => {
    const result = await engine.functions.invoke('no-wait', {}, { logType: 'Tail' });
    expect(result.payload).toBe('returned at once');
    expect(decode(result.logResult)).not.toContain('much later');
  });
});
