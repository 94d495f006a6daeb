/** Zips one handler module the way a user uploads a function; the same source gives the same bytes. */
import { strToU8, zipSync } from 'fflate';

export function zipHandler(source: string, file = 'index.mjs'): Uint8Array {
  return zipSync({ [file]: [strToU8(source), { mtime: new Date('2020-01-01T00:00:00Z') }] });
}
