import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../src/index.js';
import { expectCodeSync } from '../helpers/errors.js';

const matches = (pattern: string, message: string): boolean => compileFilterPattern(pattern)(message);

describe('CloudWatch filter patterns', () => {
  it('matches every event with an empty or absent pattern', () => {
    expect(matches('', 'anything')).toBe(true);
    expect(compileFilterPattern(undefined)('x')).toBe(true);
  });

  it('needs every plain term, case-sensitively', () => {
    expect(matches('ERROR timeout', 'ERROR: db timeout after 3s')).toBe(true);
    expect(matches('ERROR timeout', 'ERROR: db failed')).toBe(false);
    expect(matches('ERROR', 'error: lower case')).toBe(false);
  });

  it('matches a quoted phrase as one term, with escaped quotes', () => {
    expect(matches('"Task timed out"', 'x Task timed out after 3.00 seconds')).toBe(true);
    expect(matches('"Task timed out"', 'Task was timed out')).toBe(false);
    expect(matches('"say \\"hi\\""', 'they say "hi" here')).toBe(true);
  });

  it('excludes events holding a -term', () => {
    expect(matches('ERROR -health', 'ERROR in handler')).toBe(true);
    expect(matches('ERROR -health', 'ERROR in health check')).toBe(false);
    expect(matches('-"GET /health"', 'GET /health 200')).toBe(false);
  });

  it('needs one of the ?alternatives', () => {
    expect(matches('?ERROR ?WARN', 'WARN disk almost full')).toBe(true);
    expect(matches('?ERROR ?WARN', 'INFO all good')).toBe(false);
    expect(matches('?ERROR ?"timed out" -retry', 'Task timed out')).toBe(true);
    expect(matches('?ERROR ?"timed out" -retry', 'ERROR, will retry')).toBe(false);
  });

  it('compares JSON fields: strings, wildcards, numbers, and/or, parentheses', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      latency: 250,
      user: { name: 'ann', roles: ['admin', 'dev'] },
    });
    expect(matches('{ $.level = "ERROR" }', line)).toBe(true);
    expect(matches('{ $.level = ERROR }', line)).toBe(true);
    expect(matches('{ $.level != "ERROR" }', line)).toBe(false);
    expect(matches('{ $.level = "ERR*" }', line)).toBe(true);
    expect(matches('{ $.latency > 200 && $.latency <= 250 }', line)).toBe(true);
    expect(matches('{ $.latency >= 251 }', line)).toBe(false);
    expect(matches('{ $.user.roles[1] = "dev" }', line)).toBe(true);
    expect(matches('{ ($.latency < 10 || $.user.name = "ann") && $.level = "ERROR" }', line)).toBe(true);
    expect(matches('{ $.missing = "x" }', line)).toBe(false);
    expect(matches('{ $.level = "ERROR" }', 'not json at all')).toBe(false);
  });

  it('tests JSON fields for null, true, false and absence', () => {
    const line = JSON.stringify({ a: null, ok: true, bad: false });
    expect(matches('{ $.a IS NULL }', line)).toBe(true);
    expect(matches('{ $.ok IS TRUE }', line)).toBe(true);
    expect(matches('{ $.bad IS FALSE }', line)).toBe(true);
    expect(matches('{ $.ok IS FALSE }', line)).toBe(false);
    expect(matches('{ $.nothing NOT EXISTS }', line)).toBe(true);
    expect(matches('{ $.ok NOT EXISTS }', line)).toBe(false);
  });

  it('reads the JSON of a Lambda text line after its tab-separated prefix', () => {
    const line = `2026-01-01T00:00:00.000Z\tid-1\tINFO\t${JSON.stringify({ status: 500 })}`;
    expect(matches('{ $.status >= 500 }', line)).toBe(true);
  });

  it('never selects inherited properties', () => {
    expect(matches('{ $.constructor NOT EXISTS }', '{}')).toBe(true);
    expect(matches('{ $.__proto__ = "*" }', '{}')).toBe(false);
  });

  it('matches space-delimited fields by position, with names, conditions, wildcards and ellipses', () => {
    const access = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326';
    expect(matches('[ip, id, user, timestamp, request, status_code = 404, size]', access)).toBe(true);
    expect(matches('[ip, id, user, timestamp, request, status_code = 4*, size > 2000]', access)).toBe(true);
    expect(matches('[ip, id, user, timestamp, request, status_code = 5*, size]', access)).toBe(false);
    expect(matches('[..., status_code = 404 || status_code = 410, size]', access)).toBe(true);
    expect(matches('[ip = 127.*, ...]', access)).toBe(true);
    expect(matches('[a, b]', access)).toBe(false);
    expect(matches('[..., request = "GET *", ..., size]', access)).toBe(true);
  });

  it('rejects malformed patterns with InvalidParameterException', () => {
    for (const bad of [
      '"unclosed',
      '{ $.a = }',
      '{ level = "x" }',
      '{ $.a = 1',
      '[a, b',
      '{ $.a IS MAYBE }',
      '?',
    ]) {
      expectCodeSync(() => compileFilterPattern(bad), 'InvalidParameterException');
    }
  });

  it('stays linear on a pathological wildcard', () => {
    const message = JSON.stringify({ v: 'a'.repeat(20_000) });
    expect(matches(`{ $.v = "${'*a'.repeat(50)}b" }`, message)).toBe(false);
  });
});
