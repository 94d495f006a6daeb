/**
 * An event or a log line is built only when someone reads it: a subscriber of events$ / of$,
 * a caller that asked for the log Tail, or the function's log group (roles without the logs
 * actions have none). The engine's own parts never observe events$ (the
 * pollers wake on the shard log's signal), so with no subscriber the counters stay at zero.
 * The metrics part is a reader too (it counts invocations and reads EMF lines), so these
 * engines run with `metrics: { enabled: false }`.
 */
import { describe, expect, it } from 'vitest';
import { openEngine } from './helpers/engines.js';
import { createFixture } from './helpers/functions.js';
import { internals, openEngineWith } from './helpers/harness.js';
import { ensureRole, ensureStreamReaderRole } from './helpers/iam.js';
import { FakeFunctions, ok, ScriptedInvoker } from './helpers/scripted-invoker.js';

const NO_METRICS = { metrics: { enabled: false } };

describe('events and log lines nobody reads', () => {
  it('are not built for invocations, until a subscriber or a Tail asks for them', async () => {
    const engine = await openEngine('memory', NO_METRICS);
    const { ctx, runtime } = internals(engine);
    // A role without the logs actions: its lines have no stream to go to (AWS drops them).
    const mute = await ensureRole(engine, 'mute');
    await createFixture(engine, 'mute', 'faults.logs', { role: mute });
    await createFixture(engine, 'thrower', 'faults.throws', { role: mute });
    await createFixture(engine, 'logger', 'faults.logs');
    await engine.functions.invoke('mute', {});
    await engine.functions.invoke('thrower', {});
    await engine.functions.invoke('mute', {}, { invocationType: 'Event' });
    await engine.asyncInvocations.idle();
    expect(runtime.linesBuilt).toBe(0);
    // Stored lines are built (the log group reads them), yet no event.
    await engine.functions.invoke('logger', {});
    expect(runtime.linesBuilt).toBeGreaterThan(0);
    await engine.streams.create('quiet', { shardCount: 1 });
    await engine.streams.putRecord('quiet', { partitionKey: 'k', data: 'x' });
    expect(ctx.events.built).toBe(0);

    // A Tail caller gets its lines, still without events.
    const before = runtime.linesBuilt;
    const tailed = await engine.functions.invoke('mute', {}, { logType: 'Tail' });
    expect(tailed.logResult).toBeDefined();
    expect(runtime.linesBuilt).toBeGreaterThan(before);
    expect(ctx.events.built).toBe(0);

    // A subscriber of one type gets that type built, and nothing else.
    const seen: string[] = [];
    const subscription = engine.eventsOf$('function.log').subscribe((e) => seen.push(e.type));
    await engine.functions.invoke('logger', {});
    subscription.unsubscribe();
    expect(seen.length).toBeGreaterThan(0);
    expect(ctx.events.built).toBe(seen.length);

    // Unsubscribed again: nothing more is built.
    const [events, lines] = [ctx.events.built, runtime.linesBuilt];
    await engine.functions.invoke('mute', {});
    expect([ctx.events.built, runtime.linesBuilt]).toEqual([events, lines]);
  });

  it('are not built for a role without the logs actions while metrics read every line', async () => {
    // The metrics part subscribes to function.log (EMF lines), but a mute role's lines are never
    // emitted: nothing would read them.
    const engine = await openEngine('memory');
    const { runtime } = internals(engine);
    const mute = await ensureRole(engine, 'mute');
    await createFixture(engine, 'mute', 'faults.logs', { role: mute });
    await engine.functions.invoke('mute', {});
    await engine.functions.invoke('mute', {});
    expect(runtime.linesBuilt).toBe(0);
    const tailed = await engine.functions.invoke('mute', {}, { logType: 'Tail' });
    expect(tailed.logResult).toBeDefined();
    expect(runtime.linesBuilt).toBeGreaterThan(0);
  });

  it('are not built on the pull path: pollers wake on the shard log, not on events$', async () => {
    let delivered: () => void = () => {};
    const invoked = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const invoker = new ScriptedInvoker(() => {
      delivered();
      return ok();
    });
    const functions = new FakeFunctions();
    functions.add('fn');
    const engine = await openEngineWith('memory', NO_METRICS, { invoker, mappingFunctions: functions });
    await ensureStreamReaderRole(engine, 'fn-role');
    const stream = await engine.streams.create('s', { shardCount: 1 });
    await engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    await engine.streams.putRecord('s', { partitionKey: 'k', data: 'x' });
    await invoked;
    expect(invoker.requests).toHaveLength(1);
    expect(internals(engine).ctx.events.built).toBe(0);
  });
});

describe('the metrics part', () => {
  it('counts invocations and their errors without building an event or a line', async () => {
    // The runtime tells the metrics of each completed invocation directly (no event payload).
    const engine = await openEngine();
    const { ctx, runtime } = internals(engine);
    const mute = await ensureRole(engine, 'mute');
    await createFixture(engine, 'mute', 'faults.logs', { role: mute });
    await createFixture(engine, 'thrower', 'faults.throws', { role: mute });
    await engine.functions.invoke('mute', {});
    await engine.functions.invoke('mute', {});
    await engine.functions.invoke('thrower', {});
    expect([ctx.events.built, runtime.linesBuilt]).toEqual([0, 0]);
    const lines = engine.metrics.prometheus().split('\n');
    expect(lines).toContain('aws_lambda_invocations_total{FunctionName="mute"} 2');
    expect(lines).toContain('aws_lambda_errors_total{FunctionName="thrower"} 1');
    expect(lines).toContain('aws_lambda_invocations_total 3');
    expect(lines).toContain('aws_lambda_duration_milliseconds_count{FunctionName="mute"} 2');
  });
});
