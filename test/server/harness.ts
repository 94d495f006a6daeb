/** An in-memory engine behind `serve` on a loopback port, and the client settings to reach it. */
import {
  createEngine,
  type Engine,
  type EngineOptions,
  type ServeOptions,
  type Server,
  serve,
} from '../../src/index.js';

export interface Served {
  engine: Engine;
  server: Server;
  /** Settings for any SDK v3 client: endpoint, region, any credentials. */
  client: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  close(): Promise<void>;
}

export async function startServed(
  options: { engine?: EngineOptions; serve?: ServeOptions } = {},
): Promise<Served> {
  const engine = await createEngine(options.engine);
  const server = await serve(engine, { port: 0, ...options.serve });
  return {
    engine,
    server,
    client: {
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    },
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
