/**
 * What the engine processes of the multi-process tests share: their settings from the
 * environment, their messages to the test, and set-up that tolerates another copy's.
 */
import { isLambdaliteError } from '../../src/index.js';

/** A setting the test passed in the environment; a child without it stops at once. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The cluster a child joins, from its environment: $NATS_SERVERS and $PREFIX, 3 replicas. */
export function clusterFromEnv(): { servers: string[]; prefix: string; replicas: number; warnings: false } {
  // The test cluster is 2.9.10 with 3 replicas: its writers warning would print per child.
  return { servers: env('NATS_SERVERS').split(','), prefix: env('PREFIX'), replicas: 3, warnings: false };
}

/** Sends a message to the test over IPC (nothing when run by hand). */
export function send<T>(message: T): void {
  process.send?.(message);
}

/**
 * Functions, roles, mappings, permissions and streams are shared by engine processes on one cluster: the
 * first copy to create one wins and the others are told it exists (and run it all the same), as
 * every copy of a service configuring the same resources at start would be.
 */
export async function unlessCreated<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (
      isLambdaliteError(err, 'ResourceConflictException') ||
      isLambdaliteError(err, 'ResourceInUseException') ||
      isLambdaliteError(err, 'EntityAlreadyExists')
    ) {
      return undefined;
    }
    throw err;
  }
}
