/**
 * `GET /events`: engine events over server-sent events, for live pages. Only the event types a
 * page can use go out (no payloads, no log text: the log tail has its own feed).
 */
import type { Hono } from 'hono';
import { map } from 'rxjs';
import type { Engine } from '../../../engine.js';
import { LambdaliteError } from '../../../errors.js';
import type { EngineEventType } from '../../../events.js';
import { sseFrom } from './sse.js';

export const FEED_TYPES = Object.freeze([
  'function.created',
  'function.updated',
  'function.deleted',
  'function.container.spawned',
  'function.container.stopped',
  'function.invocation.started',
  'function.invocation.completed',
  'function.throttled',
  'async.enqueued',
  'async.succeeded',
  'async.failed',
  'async.redriven',
  'mapping.created',
  'mapping.deleted',
  'mapping.state',
  'mapping.checkpoint',
  'mapping.error',
  'stream.appended',
  'table.itemChanged',
] as const satisfies readonly EngineEventType[]);

type FeedType = (typeof FEED_TYPES)[number];
const KNOWN: ReadonlySet<string> = new Set(FEED_TYPES);

function chosenTypes(raw: string | undefined): FeedType[] {
  if (raw === undefined || raw === '') return [...FEED_TYPES];
  const types = raw.split(',');
  for (const type of types) {
    if (!KNOWN.has(type)) {
      throw new LambdaliteError('InvalidArgument', `types: ${type} is not one of ${FEED_TYPES.join(', ')}`);
    }
  }
  return types as FeedType[];
}

export function feedRoutes(app: Hono, engine: Engine): void {
  app.get('/events', (c) => {
    const types = chosenTypes(c.req.query('types'));
    return sseFrom(c, engine.eventsOf$(...types).pipe(map((event) => ({ data: event }))));
  });
}
