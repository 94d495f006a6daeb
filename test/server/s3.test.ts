import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, startServed } from './harness.js';

let served: Served;
let s3: S3Client;

beforeAll(async () => {
  served = await startServed();
  s3 = new S3Client({ ...served.client, forcePathStyle: true });
});
afterAll(async () => {
  s3.destroy();
  await served.close();
});

describe('S3 through the SDK', () => {
  it('creates, lists, heads and deletes buckets', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'alpha' }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain('alpha');
    expect(Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
    await s3.send(new HeadBucketCommand({ Bucket: 'alpha' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'alpha' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'alpha' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('names the engine errors as S3 does', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket: 'missing', Key: 'k' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'errs' }));
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'errs' }))).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'errs', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
  });

  it('puts and gets objects with metadata, quoted ETag, Last-Modified and ranges', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objs' }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objs',
        Key: 'dir/red flower.txt',
        Body: 'hello world',
        ContentType: 'text/plain',
        Metadata: { color: 'red' },
      }),
    );
    expect(put.ETag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'dir/red flower.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ color: 'red' });
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(got.ContentLength).toBe(11);
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'objs', Key: 'dir/red flower.txt', Range: 'bytes=6-' }),
    );
    expect(await range.Body?.transformToString()).toBe('world');
    expect(range.ContentRange).toBe('bytes 6-10/11');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'objs', Key: 'dir/red flower.txt', Range: 'bytes=50-60' })),
    ).rejects.toMatchObject({
      name: 'InvalidRange',
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'dir/red flower.txt' }));
    expect(head.ContentLength).toBe(11);
    expect(head.ETag).toBe(put.ETag);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'objs', Key: 'none' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('decodes aws-chunked stream bodies and verifies their trailer checksum', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'chunks' }));
    const body = Buffer.alloc(200_000, 7);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'chunks',
        Key: 'stream.bin',
        Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]),
        ContentLength: body.length,
      }),
    );
    const stored = await served.engine.buckets.getObject('chunks', 'stream.bin');
    expect(stored.body.equals(body)).toBe(true);
  });

  it('refuses a body whose checksum does not match with BadDigest', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'digest' }));
    const res = await fetch(`${served.server.url}/digest/k`, {
      method: 'PUT',
      body: 'abc',
      headers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>BadDigest</Code>');
    const md5 = await fetch(`${served.server.url}/digest/k`, {
      method: 'PUT',
      body: 'abc',
      headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
    });
    expect(await md5.text()).toContain('<Code>BadDigest</Code>');
    await expect(served.engine.buckets.headObject('digest', 'k')).rejects.toMatchObject({
      code: 'NoSuchKey',
    });
  });

  it('copies, lists with url encoding and deletes objects one by one and in bulk', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'list' }));
    for (const key of ['a/1', 'a/2', 'b c', 'z'])
      await s3.send(new PutObjectCommand({ Bucket: 'list', Key: key, Body: key }));
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: 'list', Key: 'copied', CopySource: 'list/b%20c' }),
    );
    expect(copy.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: 'list', Delimiter: '/', EncodingType: 'url' }),
    );
    expect(page.Contents?.map((c) => c.Key)).toEqual(['b%20c', 'copied', 'z']);
    expect(page.CommonPrefixes).toEqual([{ Prefix: 'a/' }]);
    expect(page.KeyCount).toBe(4);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'list', MaxKeys: 2 }));
    expect(first.IsTruncated).toBe(true);
    const second = await s3.send(
      new ListObjectsV2Command({ Bucket: 'list', ContinuationToken: first.NextContinuationToken }),
    );
    expect(second.Contents?.map((c) => c.Key)).toEqual(['b c', 'copied', 'z']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'list', Key: 'z' }));
    const bulk = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'list',
        Delete: { Objects: [{ Key: 'a/1' }, { Key: 'a/2' }, { Key: 'never' }] },
      }),
    );
    expect(bulk.Deleted?.map((d) => d.Key)).toEqual(['a/1', 'a/2', 'never']);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: 'list' }));
    expect(rest.Contents?.map((c) => c.Key)).toEqual(['b c', 'copied']);
  });

  it('assembles a multipart upload into one object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'multi' }));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'big', ContentType: 'application/x-big' }),
    );
    const one = Buffer.alloc(5 * 1024 * 1024, 1);
    const two = Buffer.from('tail');
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'multi', Key: 'big', UploadId, PartNumber: 1, Body: one }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: 'multi', Key: 'big', UploadId, PartNumber: 2, Body: two }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'big',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const stored = await served.engine.buckets.getObject('multi', 'big');
    expect(stored.size).toBe(one.length + two.length);
    expect(stored.contentType).toBe('application/x-big');
    const { UploadId: other } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'gone' }),
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'multi', Key: 'gone', UploadId: other }));
    await expect(
      s3.send(
        new UploadPartCommand({ Bucket: 'multi', Key: 'gone', UploadId: other, PartNumber: 1, Body: two }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });

  it('answers NotImplemented naming an unsupported operation', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tags' }));
    const res = await fetch(`${served.server.url}/tags?tagging`);
    expect(res.status).toBe(501);
    expect(await res.text()).toContain('GetBucketTagging');
  });
});
