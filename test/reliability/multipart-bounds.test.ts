/**
 * Multipart parts wait in the server's memory until CompleteMultipartUpload: the uploads in
 * progress and the bytes they hold are bounded, so a client that never completes cannot grow the
 * server without limit (found reviewing serve for the bounded-resources work of issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { S3Call } from '../../src/server/s3/common.js';
import { MultipartUploads } from '../../src/server/s3/multipart.js';
import { WireError } from '../../src/server/wire-error.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
  await engine.buckets.create('box');
});
afterAll(() => engine.close());

function call(method: string, key: string, query: string, body = Buffer.alloc(0)): S3Call {
  return {
    engine,
    bucket: 'box',
    key,
    req: {
      method,
      rawPath: `/box/${key}`,
      query: new URLSearchParams(query),
      headers: {},
      body,
      requestId: 'r',
      region: 'us-east-1',
    },
  };
}

async function start(uploads: MultipartUploads, key: string): Promise<string> {
  const reply = await uploads.create(call('POST', key, 'uploads'));
  return /<UploadId>([^<]+)<\/UploadId>/.exec(String(reply.body))![1]!;
}

const slowDown = (promise: Promise<unknown>) =>
  expect(promise).rejects.toSatisfy(
    (e) => e instanceof WireError && e.code === 'SlowDown' && e.statusCode === 503,
  );

describe('multipart uploads held in memory', () => {
  it('refuses a part past the bytes held, and gives them back on complete and abort', async () => {
    const uploads = new MultipartUploads({ maxUploads: 10, maxBytes: 100 });
    const a = await start(uploads, 'a');
    const b = await start(uploads, 'b');
    await uploads.uploadPart(call('PUT', 'a', `uploadId=${a}&partNumber=1`, Buffer.alloc(60)));
    await slowDown(uploads.uploadPart(call('PUT', 'b', `uploadId=${b}&partNumber=1`, Buffer.alloc(60))));
    // Replacing a part counts its new size only.
    await uploads.uploadPart(call('PUT', 'a', `uploadId=${a}&partNumber=1`, Buffer.alloc(70)));
    expect(uploads.heldBytes).toBe(70);
    await uploads.abort(call('DELETE', 'a', `uploadId=${a}`));
    expect(uploads.heldBytes).toBe(0);
    const part = await uploads.uploadPart(call('PUT', 'b', `uploadId=${b}&partNumber=1`, Buffer.alloc(60)));
    const eTag = part.headers?.etag ?? '';
    await uploads.complete(
      call(
        'POST',
        'b',
        `uploadId=${b}`,
        Buffer.from(
          `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${eTag}</ETag></Part></CompleteMultipartUpload>`,
        ),
      ),
    );
    expect(uploads.heldBytes).toBe(0);
    expect((await engine.buckets.headObject('box', 'b')).size).toBe(60);
  });

  it('refuses a new upload past the uploads in progress', async () => {
    const uploads = new MultipartUploads({ maxUploads: 2, maxBytes: 100 });
    const first = await start(uploads, 'x');
    await start(uploads, 'y');
    await slowDown(start(uploads, 'z'));
    await uploads.abort(call('DELETE', 'x', `uploadId=${first}`));
    await start(uploads, 'z');
  });
});
