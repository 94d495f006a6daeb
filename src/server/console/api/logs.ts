/** Log groups, recent events with a filter pattern, and a live tail over server-sent events. */
import type { Context, Hono } from 'hono';
import { map } from 'rxjs';
import type { Engine } from '../../../engine.js';
import { isLambdaliteError, LambdaliteError } from '../../../errors.js';
import type { FilteredLogEvent } from '../../../observe/logs/types.js';
import { intParam } from './http.js';
import { type SseMessage, sseFrom } from './sse.js';

const HOUR_MS = 3600_000;

function group(c: Context): string {
  const name = c.req.query('group');
  if (name === undefined || name === '')
    throw new LambdaliteError('InvalidParameterException', 'group is required');
  return name;
}

function filterPattern(c: Context): string | undefined {
  const pattern = c.req.query('filter');
  return pattern === undefined || pattern === '' ? undefined : pattern;
}

/** The group's events of the last `sinceMs`, oldest first; none when the group does not exist yet. */
async function recent(
  engine: Engine,
  logGroupName: string,
  pattern: string | undefined,
  sinceMs: number,
  limit: number,
): Promise<FilteredLogEvent[]> {
  if (sinceMs === 0) return [];
  try {
    const { events } = await engine.logs.filter({
      logGroupName,
      startTime: Date.now() - sinceMs,
      limit,
      ...(pattern === undefined ? {} : { filterPattern: pattern }),
    });
    return events;
  } catch (err) {
    if (isLambdaliteError(err, 'ResourceNotFoundException')) return [];
    throw err;
  }
}

function line(logGroupName: string, e: FilteredLogEvent): SseMessage {
  const { logStreamName, timestamp, message, eventId } = e;
  return { id: eventId, data: { logGroupName, logStreamName, timestamp, message, eventId } };
}

export function logRoutes(app: Hono, engine: Engine): void {
  app.get('/logs/groups', async (c) => c.json(await engine.logs.describeLogGroups()));
  app.get('/logs/events', async (c) => {
    const name = group(c);
    const events = await recent(
      engine,
      name,
      filterPattern(c),
      intParam(c, 'since', HOUR_MS, 1, 14 * 24 * HOUR_MS),
      intParam(c, 'limit', 500, 1, 10_000),
    );
    return c.json({ logGroupName: name, events });
  });
  app.get('/logs/tail', (c) => {
    const name = group(c);
    const pattern = filterPattern(c);
    const since = intParam(c, 'since', 0, 0, 14 * 24 * HOUR_MS);
    const limit = intParam(c, 'limit', 500, 1, 10_000);
    // Subscribed before the history is read, so no line falls between the two.
    const live$ = engine.logs
      .tail(name, pattern === undefined ? {} : { filterPattern: pattern })
      .pipe(map((e) => line(name, e)));
    return sseFrom(c, live$, async () =>
      (await recent(engine, name, pattern, since, limit)).map((e) => line(name, e)),
    );
  });
}
