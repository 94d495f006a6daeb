import { request } from 'node:http';
import { connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, serve } from '../../src/index.js';
import { type Served, startServed } from './harness.js';

let served: Served;

beforeAll(async () => {
  served = await startServed();
});
afterAll(async () => served.close());

describe('serve', () => {
  it('prints a 127.0.0.1 URL so SDKs use path-style S3', () => {
    expect(served.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers cleartext HTTP/2 (prior knowledge) and HTTP/1.1 on the same port', async () => {
    const session = connect(served.server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':method': 'GET', ':path': '/' });
      stream.on('response', (headers) => resolve(Number(headers[':status'])));
      stream.on('error', reject);
      stream.resume();
      stream.end();
    });
    session.close();
    expect(status).toBe(200);
    const h1 = await fetch(`${served.server.url}/`);
    expect(h1.status).toBe(200);
  });

  it('keeps idle HTTP/1.1 connections longer than SDK pools do, so a reused socket is not reset', async () => {
    const url = new URL(served.server.url);
    const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'GET', path: '/' }, (res) => {
        res.resume();
        resolve(res.headers['keep-alive'] as string | undefined);
      });
      req.on('error', reject);
      req.end();
    });
    // Node's default is 5 s: a client pool reusing a socket idle that long met ECONNRESET.
    expect(keepAlive).toBe('timeout=65');
  });

  it('refuses a body over the service limit from its Content-Length, before reading it', async () => {
    const url = new URL(served.server.url);
    const answer = await new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'x-amz-target': 'Kinesis_20131202.PutRecords',
            'content-type': 'application/x-amz-json-1.1',
            'content-length': String(64 * 1024 * 1024),
          },
        },
        (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['x-amzn-errortype'] as string | undefined,
          });
        },
      );
      req.on('error', reject);
      // Only the first bytes are sent: the answer must not wait for the rest.
      req.write('{"Records":[');
    });
    expect(answer).toEqual({ status: 413, type: 'InvalidArgumentException' });
  });

  it('refuses a non-loopback host without credentials unless told, and then warns', async () => {
    const engine: Engine = await createEngine();
    try {
      await expect(serve(engine, { host: '0.0.0.0' })).rejects.toMatchObject({ code: 'InvalidArgument' });
      const warnings: string[] = [];
      const open = await serve(engine, {
        host: '0.0.0.0',
        allowUnauthenticatedRemote: true,
        onWarning: (m) => warnings.push(m),
      });
      expect(warnings[0]).toContain('without credentials');
      expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      await open.close();
      const signed = await serve(engine, {
        host: '0.0.0.0',
        credentials: 'K:S',
        onWarning: (m) => warnings.push(m),
      });
      expect(warnings).toHaveLength(1);
      await signed.close();
      await expect(serve(engine, { port: 70000 })).rejects.toMatchObject({ code: 'InvalidArgument' });
      await expect(serve(engine, { credentials: 'nocolon' })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
    } finally {
      await engine.close();
    }
  });

  it('close() stops accepting and leaves the engine open', async () => {
    const engine = await createEngine();
    const server = await serve(engine);
    await server.close();
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
    expect(engine.status).toBe('open');
    await engine.close();
  });
});
