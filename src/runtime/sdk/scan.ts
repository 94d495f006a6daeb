/**
 * Whether a function's code may import `lambdalite/sdk`. Registering the ESM resolve hook costs
 * a loader thread per container on Node 20 (tens of milliseconds of cold start), so a container
 * registers it only for code that mentions the SDK.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SDK_SPECIFIER } from './resolve.js';

const SOURCE = /\.(m|c)?js$/;
/** Past this much source the scan stops and answers yes: a hook too many is only slower. */
const BUDGET_BYTES = 16 * 1024 * 1024;
/**
 * Source read synchronously, at most: a cold start's scan of a small function is a few system
 * calls, where each async read costs four thread-pool hops (slow on a busy machine). Past it,
 * reads are async so a large tree does not hold the engine's thread.
 */
const SYNC_BYTES = 1024 * 1024;

/**
 * True when a JavaScript file under `taskRoot` mentions `lambdalite/sdk`. Dependencies under
 * node_modules are not read (a bundled library importing the SDK is not expected); an
 * unreadable tree answers yes.
 */
export async function codeMentionsSdk(taskRoot: string): Promise<boolean> {
  try {
    let budget = BUDGET_BYTES;
    const pending = [taskRoot];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') pending.push(path);
          continue;
        }
        if (!entry.isFile() || !SOURCE.test(entry.name)) continue;
        const sync = BUDGET_BYTES - budget < SYNC_BYTES;
        const text = sync ? readFileSync(path, 'utf8') : await readFile(path, 'utf8');
        if (text.includes(SDK_SPECIFIER)) return true;
        budget -= text.length;
        if (budget < 0) return true;
      }
    }
    return false;
  } catch {
    return true;
  }
}
