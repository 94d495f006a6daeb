/**
 * Which requests reach the console and which reach S3 on the shared port, and the console
 * API's guards: SDK and aws-CLI ListBuckets stay S3, a browser's GET / is the page, writes need
 * JSON from the same origin, a rebound Host is refused, and with credentials the console asks
 * for them.
 */

import { request } from 'node:http';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConsoleRequest } from '../../src/server/console/owns.js';
import { type Served, startServed } from '../server/harness.js';

let served: Served;

beforeAll(async () => {
  served = await startServed();
  await served.engine.buckets.create('listed');
});
afterAll(() => served.close());

/** A raw request, so the Host header can be anything. */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body = '',
): Promise<{ status: number; body: string }> {
  const url = new URL(served.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the console beside S3 on one port', () => {
  it('leaves signed ListBuckets (SDK) and unsigned non-HTML GET / to S3', async () => {
    const s3 = new S3Client({ ...served.client, forcePathStyle: true });
    const out = await s3.send(new ListBucketsCommand({}));
    expect(out.Buckets?.map((b) => b.Name)).toEqual(['listed']);
    const plain = await fetch(`${served.server.url}/`);
    expect(await plain.text()).toContain('<ListAllMyBucketsResult');
  });

  it('serves the page for a browser GET / and everything under /_lambdalite', async () => {
    const page = await fetch(`${served.server.url}/`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('lambdalite console');
    const status = await fetch(`${served.server.url}/_lambdalite/api/status`);
    expect(await status.json()).toMatchObject({ counts: { buckets: 1 } });
  });

  it('decides by signature, x-amz headers, query and Accept', () => {
    const html = { accept: 'text/html' };
    expect(isConsoleRequest({ method: 'GET', url: '/', headers: html })).toBe(true);
    expect(
      isConsoleRequest({
        method: 'GET',
        url: '/',
        headers: { ...html, authorization: 'AWS4-HMAC-SHA256 x' },
      }),
    ).toBe(false);
    expect(
      isConsoleRequest({ method: 'GET', url: '/', headers: { ...html, 'x-amz-date': '20260101T000000Z' } }),
    ).toBe(false);
    expect(isConsoleRequest({ method: 'GET', url: '/?X-Amz-Signature=x', headers: html })).toBe(false);
    expect(isConsoleRequest({ method: 'GET', url: '/', headers: { accept: '*/*' } })).toBe(false);
    expect(isConsoleRequest({ method: 'PUT', url: '/', headers: html })).toBe(false);
    expect(isConsoleRequest({ method: 'GET', url: '/_lambdalite/api/status', headers: {} })).toBe(true);
    expect(isConsoleRequest({ method: 'GET', url: '/_lambdalitex', headers: {} })).toBe(false);
  });

  it('refuses writes that are not JSON or come from another origin, and a Host that is not loopback', async () => {
    const path = '/_lambdalite/api/functions/x/invoke';
    const host = new URL(served.server.url).host;
    const form = await raw(path, { host, 'content-type': 'text/plain' }, 'POST', '{}');
    expect(form.status).toBe(415);
    const cross = await raw(
      path,
      { host, origin: 'http://evil.example', 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    expect(cross.status).toBe(403);
    const rebound = await raw('/_lambdalite/api/status', {
      host: `evil.example:${new URL(served.server.url).port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('not a loopback address');
  });

  it('with credentials, asks for them (HTTP Basic) and accepts the key pair', async () => {
    const guarded = await startServed({ serve: { credentials: 'KEY:SECRET' } });
    try {
      const denied = await fetch(`${guarded.server.url}/_lambdalite/api/status`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toContain('Basic');
      const allowed = await fetch(`${guarded.server.url}/_lambdalite/api/status`, {
        headers: { authorization: `Basic ${Buffer.from('KEY:SECRET').toString('base64')}` },
      });
      expect(allowed.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
