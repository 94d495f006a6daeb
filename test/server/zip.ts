/** Zips one handler module the way a user uploads a function. */
import { strToU8, zipSync } from 'fflate';

export function zipHandler(source: string, file = 'index.mjs'): Uint8Array {
  return zipSync({ [file]: strToU8(source) });
}
