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
