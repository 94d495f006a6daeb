import { describe, expect, it } from 'vitest';
import { decodeResult, encodeResult, readFromWorker } from '../../src/runtime/protocol.js';
import { serialiseResponse } from '../../src/runtime/response-size.js';

const shape = { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom'] };

describe('messages from a worker', () => {
  it.each([
    null,
    undefined,
    42,
    [],
    {},
    { type: 'toString' },
    { type: 'log', requestId: 'r', level: 'LOUD', message: 'x' },
    { type: 'log', requestId: 7, level: 'INFO', message: 'x' },
    { type: 'result', requestId: 'r' },
    { type: 'result', requestId: 'r', memoryBytes: Number.NaN },
    { type: 'result', requestId: 'r', memoryBytes: 1, error: { errorType: 'E', errorMessage: 'm' } },
    { type: 'result', requestId: 'r', memoryBytes: 1, error: { ...shape, trace: [1] } },
    { type: 'fatal', error: null },
    { type: 'ready' },
    { type: 'initError', initDurationMs: 1 },
    { type: 'memory', memoryBytes: -1 },
    { type: 'sdk', id: 1.5, service: 'buckets', method: 'getObject', args: [] },
    { type: 'sdk', id: 1, service: 'buckets', method: 'getObject', args: null },
  ])('refuses %j', (message) => {
    expect(readFromWorker(message)).toBeUndefined();
  });

  it.each([
    'any text (a result is checked against its request)',
    { type: 'log', requestId: undefined, level: 'INFO', message: 'x' },
    { type: 'result', requestId: 'r', memoryBytes: 1, error: shape, retire: true },
    { type: 'fatal', requestId: 'r', error: shape },
    { type: 'ready', initDurationMs: 3 },
    { type: 'initError', initDurationMs: 3, error: shape },
    { type: 'memory', memoryBytes: 200 },
    { type: 'sdk', id: 1, service: 'buckets', method: 'getObject', args: ['b', 'k'] },
  ])('accepts %j', (message) => {
    expect(readFromWorker(message)).toBe(message);
  });

  it('takes an encoded result only for its request and with a memory figure', () => {
    expect(decodeResult(encodeResult('r1', 5, '"ok"'), 'r1')).toEqual({ payload: '"ok"', memoryBytes: 5 });
    expect(decodeResult(encodeResult('r1', 5, '"ok"'), 'r2')).toBeUndefined();
    expect(decodeResult('NaN\nr1"ok"', 'r1')).toBeUndefined();
    expect(decodeResult('\nr1"ok"', 'r1')).toBeUndefined();
  });
});

describe('the response limit', () => {
  const limit = 1000;

  it('gives the same text as JSON.stringify under the limit', () => {
    for (const value of [
      { a: [1, 'two', null, undefined, () => 0, true], b: undefined, d: new Date(0), n: Number.NaN },
      'text',
      42,
      undefined,
      null,
      [{ toJSON: () => 'x' }],
    ]) {
      expect(serialiseResponse(value, limit)).toEqual({ ok: true, json: JSON.stringify(value) ?? 'null' });
    }
  });

  it('stops at the limit whatever the shape, with the size when the text was built', () => {
    const tooLarge = {
      ok: false,
      error: expect.objectContaining({ errorType: 'Function.ResponseSizeTooLarge' }),
    };
    expect(serialiseResponse('x'.repeat(1001), limit)).toEqual(tooLarge);
    expect(serialiseResponse(new Array(600).fill(1), limit)).toEqual(tooLarge);
    expect(serialiseResponse({ [`k${'e'.repeat(1000)}`]: 1 }, limit)).toEqual(tooLarge);
    // Escapes and multi-byte characters are counted once the (bounded) text exists.
    const escaped = serialiseResponse('\u0001'.repeat(300), limit);
    expect(escaped).toMatchObject({
      ok: false,
      error: { errorMessage: expect.stringContaining('(1802 bytes)') },
    });
    expect(serialiseResponse('é'.repeat(600), limit)).toMatchObject({ ok: false });
  });

  it('keeps JSON.stringify errors (a cycle, a BigInt) for the caller', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => serialiseResponse(cycle, limit)).toThrow(TypeError);
    expect(() => serialiseResponse({ n: 1n }, limit)).toThrow(TypeError);
  });
});
