/** Functions: configuration, invoke, dead letters and redrive. */
import type { Hono } from 'hono';
import type { Engine } from '../../../engine.js';
import { isLambdaliteError, LambdaliteError } from '../../../errors.js';
import { jsonBody } from './http.js';

const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new LambdaliteError('InvalidParameterValueException', `${field} must be a list of strings`);
  }
  return value;
}

export function functionRoutes(app: Hono, engine: Engine): void {
  app.get('/functions', async (c) => c.json(await engine.functions.list()));
  app.get('/functions/:name', async (c) => {
    const name = c.req.param('name');
    const configuration = await engine.functions.get(name);
    const eventInvokeConfig = await engine.functions.getEventInvokeConfig(name).catch((err: unknown) => {
      if (isLambdaliteError(err, 'ResourceNotFoundException')) return undefined;
      throw err;
    });
    const deadLetters = (await engine.functions.deadLetters(name)).length;
    return c.json({ configuration, eventInvokeConfig, deadLetters });
  });
  app.post('/functions/:name/invoke', async (c) => {
    const body = await jsonBody(c);
    const type = body.invocationType ?? 'RequestResponse';
    if (typeof type !== 'string' || !INVOCATION_TYPES.has(type)) {
      throw new LambdaliteError(
        'InvalidParameterValueException',
        `invocationType must be RequestResponse, Event or DryRun, got ${JSON.stringify(type)}`,
      );
    }
    const result = await engine.functions.invoke(c.req.param('name'), body.payload, {
      invocationType: type as 'RequestResponse' | 'Event' | 'DryRun',
    });
    return c.json(result);
  });
  app.get('/functions/:name/dead-letters', async (c) =>
    c.json(await engine.functions.deadLetters(c.req.param('name'))),
  );
  app.post('/functions/:name/redrive', async (c) => {
    const body = await jsonBody(c);
    const ids = stringList(body.requestIds, 'requestIds');
    return c.json(await engine.functions.redrive(c.req.param('name'), ids));
  });
}
