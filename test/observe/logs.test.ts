import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, ManualClock, type OutputLogEvent } from '../../src/index.js';
import { firstMatch, nextEvent, openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { Gates } from '../helpers/gates.js';
import { ensureRole } from '../helpers/iam.js';

const START = Date.UTC(2026, 0, 1);
const STREAM_NAME = /^2026\/01\/01\/\[\$LATEST\][0-9a-f]{32}$/;
const REPORT = (id: string, init: boolean): RegExp =>
  new RegExp(
    `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\t${init ? 'Init Duration: \\d+\\.\\d\\d ms\\t' : ''}$`,
  );

/** The platform line's first word, or the printed message of a text-format output line. */
const gist = (line: string): string =>
  /^(START|END|REPORT) /.test(line) ? (line.split(' ')[0] ?? '') : (line.split('\t')[3] ?? line);

const messages = (events: OutputLogEvent[]): string[] => events.map((e) => e.message);

async function streamOf(engine: Engine, fn: string): Promise<string> {
  const streams = await engine.logs.describeLogStreams(`/aws/lambda/${fn}`);
  expect(streams).toHaveLength(1);
  return streams[0]?.logStreamName ?? '';
}

async function allEvents(engine: Engine, fn: string): Promise<string[]> {
  const logStreamName = await streamOf(engine, fn);
  const page = await engine.logs.getLogEvents({
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName,
    startFromHead: true,
  });
  return messages(page.events);
}

describe('engine.logs: what the runtime stores', () => {
  let engine: Engine;
  const clock = new ManualClock(START);
  beforeAll(async () => {
    engine = await createEngine({ clock });
  });
  afterAll(() => engine.close());

  it('stores START, the output, END and REPORT of a cold then a warm run in one stream named like AWS', async () => {
    await createFixture(engine, 'print', 'logs.prints');
    const cold = await engine.functions.invoke('print', { lines: ['one', 'two'] });
    const warm = await engine.functions.invoke('print', { lines: ['three'] });
    const [group] = await engine.logs.describeLogGroups({ prefix: '/aws/lambda/pri' });
    expect(group).toMatchObject({
      logGroupName: '/aws/lambda/print',
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/print:*',
      creationTime: START,
      retentionInDays: 30,
    });
    expect(await streamOf(engine, 'print')).toMatch(STREAM_NAME);
    const [c, w] = [cold.requestId, warm.requestId];
    const lines = await allEvents(engine, 'print');
    expect(lines).toEqual([
      `START RequestId: ${c} Version: $LATEST`,
      `2026-01-01T00:00:00.000Z\t${c}\tINFO\tone`,
      `2026-01-01T00:00:00.000Z\t${c}\tINFO\ttwo`,
      `END RequestId: ${c}`,
      expect.stringMatching(REPORT(c, true)),
      `START RequestId: ${w} Version: $LATEST`,
      `2026-01-01T00:00:00.000Z\t${w}\tINFO\tthree`,
      `END RequestId: ${w}`,
      expect.stringMatching(REPORT(w, false)),
    ]);
    const [stream] = await engine.logs.describeLogStreams('/aws/lambda/print');
    expect(stream).toMatchObject({
      creationTime: START,
      firstEventTimestamp: START,
      lastEventTimestamp: START,
      lastIngestionTime: START,
    });
    expect(stream?.storedBytes).toBeGreaterThan(lines.join('').length);
  });

  it("stores a function error as AWS's Invoke Error line before END", async () => {
    await createFixture(engine, 'thrower', 'faults.throws');
    const { requestId: id } = await engine.functions.invoke('thrower');
    const lines = await allEvents(engine, 'thrower');
    expect(lines[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^2026-01-01T00:00:00\\.000Z\\t${id}\\tERROR\\tInvoke Error \\t\\{"errorType":"RangeError","errorMessage":`,
      ),
    );
    expect(lines.slice(2, 3)).toEqual([`END RequestId: ${id}`]);
    expect(lines[3]).toMatch(REPORT(id, true));
  });

  it('stores the timeout line of a run stopped at its deadline on the engine clock', async () => {
    await createFixture(engine, 'sleeper', 'faults.hangs');
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'sleeper');
    const pending = engine.functions.invoke('sleeper');
    const { requestId: id } = await started;
    clock.advance(3000);
    await pending;
    const lines = await allEvents(engine, 'sleeper');
    expect(lines.slice(0, 3)).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `2026-01-01T00:00:03.000Z ${id} Task timed out after 3.00 seconds`,
      `END RequestId: ${id}`,
    ]);
    expect(lines[3]).toMatch(/^REPORT RequestId: \S+\tDuration: 3\d{3}\.\d\d ms\t/);
  });

  it('stores nothing when the execution role may not write logs', async () => {
    const role = await ensureRole(engine, 'no-logs');
    await createFixture(engine, 'quiet', 'logs.prints', { role });
    const denied = nextEvent(engine, 'function.logs.denied', (e) => e.functionName === 'quiet');
    await engine.functions.invoke('quiet', { lines: ['secret'] });
    await denied;
    expect(await engine.logs.describeLogGroups({ prefix: '/aws/lambda/quiet' })).toEqual([]);
    await expectCode(engine.logs.describeLogStreams('/aws/lambda/quiet'), 'ResourceNotFoundException');
  });
});

describe('engine.logs: JSON log format', () => {
  let engine: Engine;
  const clock = new ManualClock(START);
  beforeAll(async () => {
    engine = await createEngine({ clock });
  });
  afterAll(() => engine.close());

  it('writes JSON records: platform.initStart/start/report, the output at INFO and above', async () => {
    await createFixture(engine, 'json', 'logs.levels', { loggingConfig: { logFormat: 'JSON' } });
    const fn = await engine.functions.get('json');
    expect(fn.loggingConfig).toEqual({
      logFormat: 'JSON',
      applicationLogLevel: 'INFO',
      systemLogLevel: 'INFO',
      logGroup: '/aws/lambda/json',
    });
    const { requestId } = await engine.functions.invoke('json');
    const records = (await allEvents(engine, 'json')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const time = '2026-01-01T00:00:00.000Z';
    expect(records).toEqual([
      {
        time,
        type: 'platform.initStart',
        record: expect.objectContaining({
          initializationType: 'on-demand',
          phase: 'init',
          functionName: 'json',
        }),
      },
      { time, type: 'platform.start', record: { requestId, version: '$LATEST' } },
      { timestamp: time, level: 'INFO', requestId, message: 'info line' },
      { timestamp: time, level: 'WARN', requestId, message: 'warn line' },
      { timestamp: time, level: 'ERROR', requestId, message: 'error line' },
      {
        time,
        type: 'platform.report',
        record: {
          requestId,
          status: 'success',
          metrics: {
            durationMs: expect.any(Number),
            billedDurationMs: expect.any(Number),
            memorySizeMB: 128,
            maxMemoryUsedMB: expect.any(Number),
            initDurationMs: expect.any(Number),
          },
        },
      },
    ]);
  });

  it('keeps DEBUG output and the platform.runtimeDone record at DEBUG levels', async () => {
    await createFixture(engine, 'json-debug', 'logs.levels', {
      loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'DEBUG', systemLogLevel: 'DEBUG' },
    });
    const { requestId } = await engine.functions.invoke('json-debug');
    const records = (await allEvents(engine, 'json-debug')).map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    expect(records.map((r) => r.type ?? r.level)).toEqual([
      'platform.initStart',
      'platform.start',
      'DEBUG',
      'INFO',
      'WARN',
      'ERROR',
      'platform.runtimeDone',
      'platform.report',
    ]);
    expect(records[6]).toMatchObject({ record: { requestId, status: 'success' } });
  });

  it('reports a failed run with its status and error type, and its error as an ERROR record', async () => {
    await createFixture(engine, 'json-error', 'faults.throws', {
      loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'FATAL', systemLogLevel: 'WARN' },
    });
    const { requestId } = await engine.functions.invoke('json-error');
    const records = (await allEvents(engine, 'json-error')).map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    // WARN keeps only the failed run's report; FATAL drops the ERROR record.
    expect(records).toEqual([
      expect.objectContaining({
        type: 'platform.report',
        record: expect.objectContaining({ requestId, status: 'error', errorType: 'RangeError' }),
      }),
    ]);
    await engine.functions.update('json-error', { loggingConfig: { applicationLogLevel: 'ERROR' } });
    await engine.functions.invoke('json-error');
    const streams = await engine.logs.describeLogStreams('/aws/lambda/json-error', {
      orderBy: 'LastEventTime',
    });
    const page = await engine.logs.getLogEvents({
      logGroupName: '/aws/lambda/json-error',
      logStreamName: streams[1]?.logStreamName ?? '',
    });
    expect(JSON.parse(page.events[0]?.message ?? '')).toMatchObject({
      level: 'ERROR',
      message: 'Invoke Error',
      errorType: 'RangeError',
      stackTrace: expect.any(Array),
    });
  });

  it('refuses levels with the Text format and unknown values, changing nothing', async () => {
    await createFixture(engine, 'texty', 'logs.prints');
    await expectCode(
      engine.functions.update('texty', { loggingConfig: { applicationLogLevel: 'DEBUG' } }),
      'InvalidParameterValueException',
      /require logFormat JSON/,
    );
    await expectCode(
      engine.functions.update('texty', { loggingConfig: { logFormat: 'XML' as 'JSON' } }),
      'InvalidParameterValueException',
      /logFormat must be 'Text' or 'JSON', got "XML"/,
    );
    await expectCode(
      createFixture(engine, 'json-bad', 'logs.prints', {
        loggingConfig: { logFormat: 'JSON', systemLogLevel: 'ERROR' as 'WARN' },
      }),
      'InvalidParameterValueException',
      /systemLogLevel must be one of DEBUG, INFO, WARN, got "ERROR"/,
    );
    expect((await engine.functions.get('texty')).loggingConfig).toEqual({
      logFormat: 'Text',
      logGroup: '/aws/lambda/texty',
    });
    expect((await engine.functions.list()).some((f) => f.functionName === 'json-bad')).toBe(false);
  });
});

describe('engine.logs: reading', () => {
  let engine: Engine;
  const clock = new ManualClock(START);
  beforeAll(async () => {
    engine = await createEngine({ clock });
  });
  afterAll(() => engine.close());

  it('pages a stream with forward and backward tokens, answering the same token at either end', async () => {
    await createFixture(engine, 'pager', 'logs.prints');
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    await engine.functions.invoke('pager', { lines });
    const logGroupName = '/aws/lambda/pager';
    const logStreamName = await streamOf(engine, 'pager');
    const all = messages(
      (await engine.logs.getLogEvents({ logGroupName, logStreamName, startFromHead: true })).events,
    );
    expect(all).toHaveLength(28);
    const first = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      startFromHead: true,
      limit: 10,
    });
    expect(messages(first.events)).toEqual(all.slice(0, 10));
    const second = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: first.nextForwardToken,
    });
    expect(messages(second.events)).toEqual(all.slice(10, 20));
    const third = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: second.nextForwardToken,
    });
    expect(messages(third.events)).toEqual(all.slice(20));
    const end = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: third.nextForwardToken,
    });
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(third.nextForwardToken);
    const back = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: third.nextBackwardToken,
    });
    expect(messages(back.events)).toEqual(all.slice(10, 20));
    const back2 = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: back.nextBackwardToken,
    });
    expect(messages(back2.events)).toEqual(all.slice(0, 10));
    const head = await engine.logs.getLogEvents({
      logGroupName,
      logStreamName,
      limit: 10,
      nextToken: back2.nextBackwardToken,
    });
    expect(head.events).toEqual([]);
    expect(head.nextBackwardToken).toBe(back2.nextBackwardToken);
    const newest = await engine.logs.getLogEvents({ logGroupName, logStreamName, limit: 5 });
    expect(messages(newest.events)).toEqual(all.slice(23));
    await expectCode(
      engine.logs.getLogEvents({ logGroupName, logStreamName, nextToken: 'x/1' }),
      'InvalidParameterException',
    );
    await expectCode(
      engine.logs.getLogEvents({ logGroupName, logStreamName, limit: 0 }),
      'InvalidParameterException',
    );
    await expectCode(
      engine.logs.getLogEvents({ logGroupName, logStreamName: 'nope' }),
      'ResourceNotFoundException',
    );
  });

  it('filters the streams of a group in time order with patterns, stream names, times and pages', async () => {
    await createFixture(engine, 'multi', 'logs.prints');
    await engine.functions.invoke('multi', { lines: ['alpha ERROR', '{"level":"ERROR","code":7}'] });
    clock.advance(1000);
    // A new configuration starts a new container, hence a second stream.
    await engine.functions.update('multi', { description: 'second container' });
    await engine.functions.invoke('multi', { lines: ['beta WARN', 'gamma'] });
    const logGroupName = '/aws/lambda/multi';
    const streams = await engine.logs.describeLogStreams(logGroupName, { orderBy: 'LastEventTime' });
    expect(streams).toHaveLength(2);
    const [older, newer] = streams.map((s) => s.logStreamName);
    const alternatives = await engine.logs.filter({ logGroupName, filterPattern: '?ERROR ?WARN -code' });
    expect(alternatives.events.map((e) => [e.logStreamName, e.message.split('\t')[3], e.timestamp])).toEqual([
      [older, 'alpha ERROR', START],
      [newer, 'beta WARN', START + 1000],
    ]);
    expect(alternatives.nextToken).toBeUndefined();
    expect(new Set(alternatives.events.map((e) => e.eventId)).size).toBe(2);
    const json = await engine.logs.filter({ logGroupName, filterPattern: '{ $.code = 7 }' });
    expect(json.events.map((e) => e.message.split('\t')[3])).toEqual(['{"level":"ERROR","code":7}']);
    const one = await engine.logs.filter({
      logGroupName,
      logStreamNames: [newer ?? ''],
      filterPattern: 'gamma',
    });
    expect(one.events).toHaveLength(1);
    const later = await engine.logs.filter({
      logGroupName,
      startTime: START + 1,
      filterPattern: '"RequestId"',
    });
    expect(later.events.every((e) => e.logStreamName === newer)).toBe(true);
    const earlier = await engine.logs.filter({ logGroupName, endTime: START + 1 });
    expect(earlier.events.every((e) => e.logStreamName === older)).toBe(true);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await engine.logs.filter({
        logGroupName,
        filterPattern: 'START',
        limit: 1,
        ...(nextToken ? { nextToken } : {}),
      });
      seen.push(...page.events.map((e) => e.logStreamName));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual([older, newer]);
    await expectCode(
      engine.logs.filter({ logGroupName, filterPattern: '{ $.a = ' }),
      'InvalidParameterException',
    );
    await expectCode(engine.logs.filter({ logGroupName: '/aws/lambda/none' }), 'ResourceNotFoundException');
  });

  it('tails a line printed mid-invocation before the invocation ends', async () => {
    await createFixture(engine, 'gate', 'logs.gated');
    const gates = new Gates();
    const gate = gates.name('open');
    const lines: string[] = [];
    const subscription = engine.logs.tail('/aws/lambda/gate').subscribe((e) => lines.push(e.message));
    const before = firstMatch(
      engine.logs.tail('/aws/lambda/gate', { filterPattern: '"before the gate"' }),
      () => true,
    );
    let finished = false;
    const run = engine.functions.invoke('gate', { waitFor: gate }).then((r) => {
      finished = true;
      return r;
    });
    const seen = await before;
    expect(seen).toMatchObject({
      logGroupName: '/aws/lambda/gate',
      logStreamName: expect.stringMatching(STREAM_NAME),
    });
    expect(finished).toBe(false);
    gates.open(gate);
    const { requestId } = await run;
    subscription.unsubscribe();
    expect(lines.map(gist)).toEqual(['START', 'before the gate', 'after the gate', 'END', 'REPORT']);
    expect(lines[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
  });
});

describe('engine.logs: lines stored as records or as text', () => {
  it('stores and tails the same text whether the runtime built it for a reader or handed over records', async () => {
    const engine = await createEngine({ clock: new ManualClock(START) });
    try {
      await createFixture(engine, 'print', 'logs.prints');
      // A function.log subscriber makes the runtime build every line as text.
      const emitted: string[] = [];
      const listening = engine.eventsOf$('function.log').subscribe((e) => emitted.push(e.line));
      const asText = await engine.functions.invoke('print', { lines: ['as text'] });
      listening.unsubscribe();
      // Without one, START / END / REPORT go to the store as records; a tail renders them.
      const tailed: Array<{ message: string; eventId: string }> = [];
      const tailing = engine.logs
        .tail('/aws/lambda/print')
        .subscribe((e) => tailed.push({ message: e.message, eventId: e.eventId }));
      const asRecords = await engine.functions.invoke('print', { lines: ['as records'] });
      tailing.unsubscribe();

      const stored = await allEvents(engine, 'print');
      expect(stored.slice(0, 4)).toEqual(emitted);
      expect(stored.slice(4)).toEqual(tailed.map((t) => t.message));
      expect(stored.map(gist)).toEqual([
        'START',
        'as text',
        'END',
        'REPORT',
        'START',
        'as records',
        'END',
        'REPORT',
      ]);
      expect(stored[4]).toBe(`START RequestId: ${asRecords.requestId} Version: $LATEST`);
      expect(stored[6]).toBe(`END RequestId: ${asRecords.requestId}`);
      expect(stored[7]).toMatch(REPORT(asRecords.requestId, false));
      expect(stored[3]).toMatch(REPORT(asText.requestId, true));
      // A tailed record has the eventId the stored event is read back with.
      const { events } = await engine.logs.filter({ logGroupName: '/aws/lambda/print' });
      expect(events.slice(4).map((e) => e.eventId)).toEqual(tailed.map((t) => t.eventId));
      // storedBytes counts each event as CloudWatch does: UTF-8 bytes of the message + 26.
      const [stream] = await engine.logs.describeLogStreams('/aws/lambda/print');
      expect(stream?.storedBytes).toBe(stored.reduce((sum, m) => sum + Buffer.byteLength(m) + 26, 0));
    } finally {
      await engine.close();
    }
  });
});

describe('engine.logs: retention, deletion, reopening', () => {
  it('applies a group retention on the engine clock with range deletes, keeping newer runs', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine('disk', { clock, logs: { retentionDays: 7 } });
    await createFixture(engine, 'old', 'logs.prints');
    await engine.functions.invoke('old', { lines: ['day one'] });
    const logGroupName = '/aws/lambda/old';
    expect((await engine.logs.describeLogGroups())[0]?.retentionInDays).toBe(7);
    await engine.logs.putRetentionPolicy(logGroupName, 1);
    await expectCode(
      engine.logs.putRetentionPolicy(logGroupName, 2),
      'InvalidParameterException',
      /retentionInDays/,
    );
    const expired = nextEvent(engine, 'logs.expired', (e) => e.logGroupName === logGroupName);
    clock.advance(86_400_000 + 1);
    const event = await expired;
    expect(event).toMatchObject({ before: START + 1, deletedStreams: 1 });
    expect(event.deletedBytes).toBeGreaterThan(0);
    expect(await engine.logs.describeLogStreams(logGroupName)).toEqual([]);
    expect((await engine.logs.describeLogGroups())[0]?.storedBytes).toBe(0);
    // A new run after the sweep is kept.
    await engine.functions.invoke('old', { lines: ['day two'] });
    const { events } = await engine.logs.filter({ logGroupName, filterPattern: 'day' });
    expect(events.map((e) => e.message.split('\t')[3])).toEqual(['day two']);
  });

  it('deletes a log group, which the running container creates again with its next line', async () => {
    const engine = await openEngine('memory', { clock: new ManualClock(START) });
    await createFixture(engine, 'gone', 'logs.prints');
    await engine.functions.invoke('gone', { lines: ['before'] });
    await engine.logs.deleteLogGroup('/aws/lambda/gone');
    expect(await engine.logs.describeLogGroups()).toEqual([]);
    await expectCode(engine.logs.deleteLogGroup('/aws/lambda/gone'), 'ResourceNotFoundException');
    await engine.functions.invoke('gone', { lines: ['after'] });
    const lines = await allEvents(engine, 'gone');
    expect(lines.map(gist)).toEqual(['START', 'after', 'END', 'REPORT']);
  });

  it('keeps groups, streams and events across close and reopen', async () => {
    const location = await tempDir();
    const first = await createEngine({ location, clock: new ManualClock(START) });
    await createFixture(first, 'kept', 'logs.prints');
    await first.functions.invoke('kept', { lines: ['persisted'] });
    const before = await allEvents(first, 'kept');
    const [stream] = await first.logs.describeLogStreams('/aws/lambda/kept');
    await first.close();
    const second = await openEngine('disk', { location, clock: new ManualClock(START + 1000) });
    expect(await allEvents(second, 'kept')).toEqual(before);
    expect(await second.logs.describeLogStreams('/aws/lambda/kept')).toEqual([stream]);
    expect(before[1]).toMatch(/\tINFO\tpersisted$/);
  });

  it('refuses malformed engine options naming the option', async () => {
    await expectCode(
      createEngine({ logs: { retentionDays: 2 } }),
      'InvalidArgument',
      /options\.logs\.retentionDays/,
    );
    await expectCode(
      createEngine({ logs: { persist: 'yes' as unknown as boolean } }),
      'InvalidArgument',
      /options\.logs\.persist must be a boolean/,
    );
  });
});
