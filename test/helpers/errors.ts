import { expect } from 'vitest';
import { type ErrorCode, LambdaliteError } from '../../src/index.js';

/** Asserts that `promise` rejects with a LambdaliteError of `code` whose message contains `text`. */
export async function expectCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  text?: string | RegExp,
): Promise<LambdaliteError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected rejection with ${code}, but it resolved`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LambdaliteError);
  const typed = err as LambdaliteError;
  expect(typed.code).toBe(code);
  if (text !== undefined) expect(typed.message).toMatch(text);
  return typed;
}

/** Synchronous variant of {@link expectCode}. */
export function expectCodeSync(fn: () => unknown, code: ErrorCode, text?: string | RegExp): LambdaliteError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LambdaliteError);
  const typed = caught as LambdaliteError;
  expect(typed.code).toBe(code);
  if (text !== undefined) expect(typed.message).toMatch(text);
  return typed;
}
