/** The counterexamples the hostile-HTTP property found, kept as plain cases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, startServed } from '../server/harness.js';

let served: Served;
beforeAll(async () => {
  served = await startServed();
  await served.engine.buckets.create('box');
});
afterAll(() => served.close());

describe('requests the server once failed with an uncoded 500', () => {
  it('a malformed percent-escape in a path is the caller error, in each protocol', async () => {
    const s3 = await fetch(`${served.server.url}/box/%FF`);
    expect(s3.status).toBe(400);
    expect(await s3.text()).toContain('<Code>InvalidURI</Code>');

    const copy = await fetch(`${served.server.url}/box/copy`, {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/box/%ED%A0%80' },
    });
    expect(copy.status).toBe(400);
    expect(await copy.text()).toContain('<Code>InvalidArgument</Code>');

    const lambda = await fetch(`${served.server.url}/2014-11-13/functions/%FF/invoke-async`, {
      method: 'POST',
      body: '{}',
    });
    expect(lambda.status).toBe(400);
    expect(await lambda.json()).toMatchObject({ __type: 'InvalidParameterValueException' });
  });
});

describe('answers whose headers HTTP cannot carry as given', () => {
  it('an object whose content type or metadata is not latin-1 reads back, MIME-encoded as S3 does', async () => {
    await served.engine.buckets.putObject('box', 'euro', 'body', {
      contentType: 'text/plain; name=€',
      metadata: { price: '5 €', line: 'a\nb' },
    });
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${served.server.url}/box/euro`, { method });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(mime('text/plain; name=€'));
      expect(response.headers.get('x-amz-meta-price')).toBe(mime('5 €'));
      expect(response.headers.get('x-amz-meta-line')).toBe(mime('a\nb'));
    }
  });
});

/** RFC 2047's encoded-word, as S3 returns metadata that is not US-ASCII. */
function mime(value: string): string {
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
