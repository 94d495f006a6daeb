import { describe, expect, it } from 'vitest';
import { booleanValue, integer, oneOf, readOptions, stringValue } from '../../src/validation/options.js';
import { checkText, setOwn } from '../../src/validation/text.js';
import { expectCodeSync } from '../helpers/errors.js';

const SPEC = { limit: integer(1, 10), verbose: booleanValue(), mode: oneOf(['a', 'b'] as const) } as const;

describe('readOptions, the shared check of an options argument', () => {
  it('takes undefined as no options and returns the known fields typed', () => {
    expect(readOptions(undefined, SPEC, 'InvalidArgument')).toEqual({});
    expect(readOptions({ limit: 3, mode: 'b', verbose: undefined }, SPEC, 'InvalidArgument')).toEqual({
      limit: 3,
      mode: 'b',
    });
    expect(readOptions(Object.create(null), SPEC, 'InvalidArgument')).toEqual({});
  });

  it('refuses null, arrays, primitives and class instances with the caller code', () => {
    for (const bad of [null, [], 1, 'x', new Date(0), new Map()]) {
      expectCodeSync(
        () => readOptions(bad, SPEC, 'ValidationException'),
        'ValidationException',
        /options must be an object/,
      );
    }
  });

  it('refuses an unknown key naming it, including __proto__ and constructor', () => {
    expectCodeSync(
      () => readOptions({ limt: 1 }, SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /options\.limt is not a known option/,
    );
    expectCodeSync(
      () => readOptions(JSON.parse('{"__proto__": 1}'), SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /__proto__/,
    );
    expectCodeSync(
      () => readOptions({ constructor: 1 }, SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /constructor/,
    );
  });

  it('checks each field with its rule, naming the field and the value', () => {
    expectCodeSync(
      () => readOptions({ limit: 11 }, SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /options\.limit must be an integer from 1 to 10, got 11/,
    );
    expectCodeSync(
      () => readOptions({ verbose: 'yes' }, SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /options\.verbose/,
    );
    expectCodeSync(
      () => readOptions({ mode: 'c' }, SPEC, 'InvalidArgument'),
      'InvalidArgument',
      /one of a, b/,
    );
    expectCodeSync(
      () => readOptions({ s: '' }, { s: stringValue() }, 'InvalidArgument', { label: 'filter' }),
      'InvalidArgument',
      /filter\.s must be a non-empty string/,
    );
  });

  it('refuses a missing required field', () => {
    expectCodeSync(
      () => readOptions(undefined, SPEC, 'InvalidArgument', { required: ['limit'] }),
      'InvalidArgument',
      /must be an object/,
    );
    expectCodeSync(
      () => readOptions({}, SPEC, 'InvalidArgument', { required: ['limit'] }),
      'InvalidArgument',
      /options\.limit is required/,
    );
  });
});

describe('checkText, the shared check of keys and names', () => {
  const rule = { code: 'ValidationException', maxChars: 5, maxBytes: 6 } as const;

  it('refuses lone surrogates, which UTF-8 would turn into U+FFFD', () => {
    for (const lone of ['\ud800', '\udc00', 'a\ud800b', '\udc00\ud800']) {
      expectCodeSync(() => checkText(lone, 'name', rule), 'ValidationException', /lone surrogate/);
    }
    expect(checkText('\ud83d\ude00', 'name', rule)).toBe('\ud83d\ude00');
    expect(checkText('\ufffd', 'name', rule)).toBe('\ufffd');
  });

  it('refuses non-strings, empty strings and strings over the limits', () => {
    expectCodeSync(() => checkText(1, 'name', rule), 'ValidationException', /name must be a string, got 1/);
    expectCodeSync(() => checkText('', 'name', rule), 'ValidationException', /at least 1 character/);
    expectCodeSync(() => checkText('abcdef', 'name', rule), 'ValidationException', /at most 5 characters/);
    expect(checkText('ééé', 'name', rule)).toBe('ééé');
    expectCodeSync(
      () => checkText('éééé', 'name', rule),
      'ValidationException',
      /at most 6 UTF-8 bytes, got 8 bytes/,
    );
  });
});

describe('setOwn', () => {
  it('keeps __proto__ as an own, enumerable property of an ordinary object', () => {
    const target: Record<string, unknown> = {};
    setOwn(target, '__proto__', { polluted: true });
    setOwn(target, 'other', 1);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(['__proto__', 'other']);
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
