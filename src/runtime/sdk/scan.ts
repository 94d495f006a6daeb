/**
 * Whether a function's code may import `lambdalite/sdk`. Registering the ESM resolve hook costs
 * a loader thread per container on Node 20 (tens of milliseconds of cold start), so a container
 * registers it only for code that mentions the SDK.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SDK_SPECIFIER } from './resolve.js';

const SOURCE = /\.(m|c)?js$/;
/** Past this much source the scan stops and answers yes: a hook too many is only slower. */
const BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * True when a JavaScript file under `taskRoot` mentions `lambdalite/sdk`. Dependencies under
 * node_modules are not read (a bundled library importing the SDK is not expected); an
 * unreadable tree answers yes.
 */
export async function codeMentionsSdk(taskRoot: string): Promise<boolean> {
  try {
    const entries = await readdir(taskRoot, { recursive: true, withFileTypes: true });
    let budget = BUDGET_BYTES;
    for (const entry of entries) {
      if (!entry.isFile() || !SOURCE.test(entry.name)) continue;
      const dir = entry.parentPath ?? entry.path;
      if (dir.includes('node_modules')) continue;
      const text = await readFile(join(dir, entry.name), 'utf8');
      if (text.includes(SDK_SPECIFIER)) return true;
      budget -= text.length;
      if (budget < 0) return true;
    }
    return false;
  } catch {
    return true;
  }
}
