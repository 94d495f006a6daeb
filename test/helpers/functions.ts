/** Helpers for function tests: fixture paths and a role ARN. */
import { fileURLToPath } from 'node:url';
import type { CreateFunctionOptions, Engine, FunctionConfiguration } from '../../src/index.js';
import { ensureLogsRole } from './iam.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/functions/', import.meta.url));
export const ROLE = 'arn:aws:iam::000000000000:role/test-function';

/**
 * Creates a function from the fixtures directory (handler like 'faults.throws'). Unless a role
 * is given, it runs as ROLE, created with the seed's logs:* policy when missing.
 */
export async function createFixture(
  engine: Engine,
  name: string,
  handler: string,
  options: Partial<CreateFunctionOptions> = {},
): Promise<FunctionConfiguration> {
  if (options.role === undefined) await ensureLogsRole(engine, 'test-function');
  return engine.functions.create({ name, handler, code: { directory: FIXTURES }, role: ROLE, ...options });
}
