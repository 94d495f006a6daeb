/** `GET /status`: counts of every resource, live containers, and the lag of each mapping. */
import type { Hono } from 'hono';
import type { Engine } from '../../../engine.js';
import type { ContainerCensus } from '../census.js';

export interface MappingLag {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  state: string;
  lastProcessingResult: string;
  /** Largest iterator age over the mapping's shards, ms. */
  maxIteratorAgeMs: number;
  shards: { shardId: string; sequenceNumber: string | undefined; iteratorAgeMs: number }[];
}

export interface StatusReport {
  region: string;
  accountId: string;
  counts: {
    functions: number;
    buckets: number;
    streams: number;
    tables: number;
    roles: number;
    mappings: number;
  };
  containers: { functionName: string; containers: number }[];
  pendingAsyncEvents: number;
  mappings: MappingLag[];
}

export function statusRoutes(app: Hono, engine: Engine, census: ContainerCensus): void {
  app.get('/status', async (c) => {
    const [functions, buckets, streams, tables, roles, mappings, pending] = await Promise.all([
      engine.functions.list(),
      engine.buckets.list(),
      engine.streams.list(),
      engine.tables.list(),
      engine.iam.listRoles(),
      engine.mappings.list(),
      engine.asyncInvocations.pendingCount(),
    ]);
    const report: StatusReport = {
      region: engine.region,
      accountId: engine.accountId,
      counts: {
        functions: functions.length,
        buckets: buckets.length,
        streams: streams.length,
        tables: tables.length,
        roles: roles.length,
        mappings: mappings.length,
      },
      containers: [...census.counts()].map(([functionName, containers]) => ({ functionName, containers })),
      pendingAsyncEvents: pending,
      mappings: mappings.map((m) => ({
        uuid: m.uuid,
        functionName: m.functionArn.slice(m.functionArn.lastIndexOf(':') + 1),
        eventSourceArn: m.eventSourceArn,
        state: m.state,
        lastProcessingResult: m.lastProcessingResult,
        maxIteratorAgeMs: Math.max(0, ...m.shards.map((s) => s.iteratorAgeMs)),
        shards: m.shards.map(({ shardId, sequenceNumber, iteratorAgeMs }) => ({
          shardId,
          sequenceNumber,
          iteratorAgeMs,
        })),
      })),
    };
    return c.json(report);
  });
}
