/**
 * Functions, roles, mappings and permissions are shared by engine processes on one cluster: the
 * first copy to create one wins and the others are told it exists (and run it all the same), as
 * every copy of a service configuring the same resources at start would be.
 */
import { isLambdaliteError } from '../../src/index.js';

export async function unlessCreated<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (
      isLambdaliteError(err, 'ResourceConflictException') ||
      isLambdaliteError(err, 'EntityAlreadyExists')
    ) {
      return undefined;
    }
    throw err;
  }
}
