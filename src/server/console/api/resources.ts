/** Read-only views of what the engine holds: buckets and objects, streams, tables and items, roles, mappings. */
import type { Hono } from 'hono';
import type { Engine } from '../../../engine.js';
import { LambdaliteError } from '../../../errors.js';
import { intParam } from './http.js';

/** Bytes of an object shown as text in the console. */
const PREVIEW_BYTES = 4096;

function functionNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

export function resourceRoutes(app: Hono, engine: Engine): void {
  app.get('/buckets', async (c) => c.json(await engine.buckets.list()));
  app.get('/buckets/:bucket/objects', async (c) => {
    const prefix = c.req.query('prefix');
    const token = c.req.query('token');
    const result = await engine.buckets.listObjects(c.req.param('bucket'), {
      delimiter: '/',
      maxKeys: intParam(c, 'maxKeys', 200, 1, 1000),
      ...(prefix ? { prefix } : {}),
      ...(token ? { continuationToken: token } : {}),
    });
    return c.json(result);
  });
  app.get('/buckets/:bucket/object', async (c) => {
    const key = c.req.query('key');
    if (key === undefined) throw new LambdaliteError('InvalidArgument', 'key is required');
    const object = await engine.buckets.getObject(c.req.param('bucket'), key);
    const { body, ...meta } = object;
    const preview = body.subarray(0, PREVIEW_BYTES).toString('utf8');
    return c.json({ ...meta, key, preview, truncated: body.length > PREVIEW_BYTES });
  });

  app.get('/streams', async (c) => c.json(await engine.streams.list()));
  app.get('/streams/:name', async (c) => c.json(await engine.streams.describe(c.req.param('name'))));

  app.get('/tables', async (c) => {
    const names = await engine.tables.list();
    return c.json(await Promise.all(names.map((name) => engine.tables.describe(name))));
  });
  app.get('/tables/:name', async (c) => c.json(await engine.tables.describe(c.req.param('name'))));
  app.get('/tables/:name/items', async (c) => {
    const name = c.req.param('name');
    const raw = c.req.query('partitionKey');
    if (raw === undefined) throw new LambdaliteError('ValidationException', 'partitionKey is required');
    const { partitionKey } = await engine.tables.describe(name);
    const value = partitionKey.type === 'N' ? Number(raw) : raw;
    const result = await engine.tables.query(name, {
      partitionKey: value,
      limit: intParam(c, 'limit', 100, 1, 1000),
    });
    return c.json(result);
  });

  app.get('/roles', async (c) => c.json(await engine.iam.listRoles()));
  app.get('/roles/:name', async (c) => {
    const role = await engine.iam.getRole(c.req.param('name'));
    const policies = await Promise.all(
      role.policyNames.map((policyName) => engine.iam.getRolePolicy(role.roleName, policyName)),
    );
    return c.json({ ...role, policies });
  });

  app.get('/mappings', async (c) => {
    const mappings = await engine.mappings.list();
    return c.json(mappings.map((m) => ({ ...m, functionName: functionNameOf(m.functionArn) })));
  });
  app.get('/mappings/:uuid', async (c) => {
    const uuid = c.req.param('uuid');
    const mapping = await engine.mappings.get(uuid);
    const failures = await engine.mappings.failures(uuid);
    return c.json({ ...mapping, functionName: functionNameOf(mapping.functionArn), failures });
  });
}
