/**
 * Which requests belong to the console rather than to an AWS service. Everything under
 * `/_lambdalite` does: S3 bucket names start with a letter or digit, so no path-style S3 request
 * can begin with `/_`. `/` is S3's ListBuckets too; a browser asking for a page is told apart by
 * what every SDK and the aws CLI send and a browser never does: a signature (header or query),
 * `x-amz-*` headers, or a query string; and by asking for HTML.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const CONSOLE_PREFIX = '/_lambdalite';

export interface RequestShape {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

export function isConsoleRequest(req: RequestShape): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  if (rawPath === CONSOLE_PREFIX || rawPath.startsWith(`${CONSOLE_PREFIX}/`)) return true;
  if (rawPath !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  if (q >= 0) return false;
  if (req.headers['x-amz-target'] !== undefined) return false;
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-amz-')) return false;
  }
  const authorization = req.headers.authorization;
  // The console's own Basic credentials may ride along once the browser has them.
  if (authorization !== undefined && !authorization.startsWith('Basic ')) return false;
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}
