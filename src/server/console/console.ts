/**
 * The console: a page at `/` and a small JSON + server-sent-events API under `/_lambdalite/api`,
 * served on the same port as the AWS protocols. The CLI talks to the same API.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Engine } from '../../engine.js';
import type { AnyRequest, AnyResponse } from '../listener.js';
import { applyRoutes } from './api/apply.js';
import { feedRoutes } from './api/feed.js';
import { functionRoutes } from './api/functions.js';
import { errorResponse } from './api/http.js';
import { logRoutes } from './api/logs.js';
import { metricRoutes } from './api/metrics.js';
import { resourceRoutes } from './api/resources.js';
import { statusRoutes } from './api/status.js';
import { assetRoutes } from './assets.js';
import { ContainerCensus } from './census.js';
import { checkConsoleRequest, type GuardOptions } from './guard.js';
import { CONSOLE_PREFIX } from './owns.js';

export const API_PREFIX = `${CONSOLE_PREFIX}/api`;

export class ConsoleServer {
  readonly #census: ContainerCensus;
  readonly #listener: (req: AnyRequest, res: AnyResponse) => Promise<void>;

  constructor(engine: Engine, guard: GuardOptions) {
    this.#census = new ContainerCensus(engine);
    const api = new Hono();
    statusRoutes(api, engine, this.#census);
    functionRoutes(api, engine);
    resourceRoutes(api, engine);
    logRoutes(api, engine);
    metricRoutes(api, engine);
    feedRoutes(api, engine);
    applyRoutes(api, engine);
    api.onError((err, c) => errorResponse(c, err));
    api.notFound((c) => c.json({ code: 'NotFound', message: `no console API route ${c.req.path}` }, 404));

    const app = new Hono();
    app.use('*', guardMiddleware(guard));
    app.route(API_PREFIX, api);
    assetRoutes(app);
    app.onError((err, c) => errorResponse(c, err));
    this.#listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  }

  handle(req: AnyRequest, res: AnyResponse): void {
    this.#listener(req, res).catch(() => res.destroy());
  }

  close(): void {
    this.#census.close();
  }
}

function guardMiddleware(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw.headers;
    const verdict = checkConsoleRequest(
      {
        method: c.req.method,
        host: raw.get('host') ?? raw.get(':authority') ?? undefined,
        origin: raw.get('origin') ?? undefined,
        contentType: raw.get('content-type') ?? undefined,
        authorization: raw.get('authorization') ?? undefined,
      },
      options,
    );
    if (!verdict.ok) {
      const headers: Record<string, string> =
        verdict.status === 401 ? { 'www-authenticate': 'Basic realm="lambdalite", charset="UTF-8"' } : {};
      return c.json({ code: verdict.code, message: verdict.message }, verdict.status, headers);
    }
    await next();
  };
}
