/**
 * The console's page, scripts and styles: plain ES modules and CSS shipped in the package (no
 * build step), plus uPlot's ES module and stylesheet from its own package. Only files that exist
 * in the assets folder are served; a name is never joined into a path unchecked.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { CONSOLE_PREFIX } from './owns.js';

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));
const require = createRequire(import.meta.url);
const VENDOR = new Map([
  ['uplot.js', require.resolve('uplot/dist/uPlot.esm.js')],
  ['uplot.css', require.resolve('uplot/dist/uPlot.min.css')],
]);
const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
]);

async function assetFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(ASSETS)) files.set(name, `${ASSETS}${name}`);
  return files;
}

export function assetRoutes(app: Hono): void {
  let files: Promise<Map<string, string>> | undefined;
  const send = async (path: string | undefined, name: string): Promise<Response> => {
    if (path === undefined) return new Response('not found', { status: 404 });
    const body = await readFile(path);
    return new Response(body, {
      headers: {
        'content-type': TYPES.get(extname(name)) ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    });
  };
  const page = async (): Promise<Response> => {
    const response = await send(`${ASSETS}index.html`, 'index.html');
    response.headers.set(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    return response;
  };
  app.get('/', page);
  app.get(CONSOLE_PREFIX, page);
  app.get(`${CONSOLE_PREFIX}/`, page);
  app.get(`${CONSOLE_PREFIX}/assets/:name`, async (c) => {
    files ??= assetFiles();
    const name = c.req.param('name');
    return send((await files).get(name), name);
  });
  app.get(`${CONSOLE_PREFIX}/vendor/:name`, async (c) => {
    const name = c.req.param('name');
    return send(VENDOR.get(name), name);
  });
}
