import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, startServed } from './harness.js';

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/** The SDK's own signer (an implementation independent of the server's), with Node's hashes. */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

const KEY = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let served: Served;

beforeAll(async () => {
  served = await startServed({ serve: { credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}` } });
});
afterAll(async () => served.close());

function config(credentials = KEY, extra: Record<string, unknown> = {}) {
  return { ...served.client, credentials, ...extra };
}

describe('SigV4 verification', () => {
  it('accepts correctly signed requests of every protocol, over HTTP/1.1 and HTTP/2', async () => {
    const s3 = new S3Client(config());
    await s3.send(new CreateBucketCommand({ Bucket: 'signed' }));
    await s3.send(new PutObjectCommand({ Bucket: 'signed', Key: 'a b+c', Body: 'x' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['signed']);
    const kinesis = new KinesisClient(config());
    await kinesis.send(new CreateStreamCommand({ StreamName: 'signed' }));
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['signed']);
    const lambda = new LambdaClient(config());
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    const iam = new IAMClient(config());
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
    for (const c of [s3, kinesis, lambda, iam]) c.destroy();
  });

  it('refuses a wrong secret with each service’s code', async () => {
    const wrong = { ...KEY, secretAccessKey: 'not-it' };
    const s3 = new S3Client(config(wrong));
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    const kinesis = new KinesisClient(config(wrong));
    await expect(kinesis.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const iam = new IAMClient(config(wrong));
    await expect(iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    const stranger = new LambdaClient(config({ accessKeyId: 'OTHER', secretAccessKey: KEY.secretAccessKey }));
    await expect(stranger.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    for (const c of [s3, kinesis, iam, stranger]) c.destroy();
  });

  it('refuses a signature dated outside the 15-minute window', async () => {
    // maxAttempts 1: the SDK would otherwise correct its clock from the answer and retry.
    const s3 = new S3Client(config(KEY, { systemClockOffset: -20 * 60_000 }));
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'RequestTimeTooSkewed' });
    const kinesis = new KinesisClient(config(KEY, { systemClockOffset: 20 * 60_000 }));
    await expect(kinesis.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    s3.destroy();
    kinesis.destroy();
  });

  it('refuses a body changed after signing', async () => {
    const signer = new SignatureV4({
      credentials: KEY,
      region: 'us-east-1',
      service: 'kinesis',
      sha256: Sha256,
    });
    const url = new URL(served.server.url);
    const request = {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.CreateStream',
      },
      body: JSON.stringify({ StreamName: 'honest', ShardCount: 1 }),
    };
    const signed = await signer.sign(request);
    const send = (body: string) =>
      fetch(`${served.server.url}/`, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body,
      });
    const tampered = await send(JSON.stringify({ StreamName: 'evil!', ShardCount: 9 }));
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    await expect(served.engine.streams.describe('evil!')).rejects.toMatchObject({
      code: 'ValidationException',
    });
    const honest = await send(signed.body as string);
    expect(honest.status).toBe(200);
  });

  it('accepts a presigned URL and refuses it once tampered', async () => {
    await served.engine.buckets.create('presign');
    await served.engine.buckets.putObject('presign', 'k', 'secret body');
    const signer = new SignatureV4({
      credentials: KEY,
      region: 'us-east-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(served.server.url);
    const presigned = await signer.presign(
      // As @aws-sdk/s3-request-presigner does: presigned S3 URLs sign UNSIGNED-PAYLOAD.
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/presign/k',
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await fetch(`${served.server.url}/presign/k?${query}`);
    expect(await ok.text()).toBe('secret body');
    const bad = await fetch(`${served.server.url}/presign/other?${query}`);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses an unsigned request when credentials are required', async () => {
    const res = await fetch(`${served.server.url}/`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});
