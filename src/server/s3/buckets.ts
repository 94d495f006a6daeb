/** ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
import { assertBucket, empty, isoTime, type S3Call, xmlReply } from './common.js';

export async function listBuckets({ engine }: S3Call) {
  const buckets = await engine.buckets.list();
  return xmlReply([
    'ListAllMyBucketsResult',
    [
      [
        'Owner',
        [
          ['ID', engine.accountId],
          ['DisplayName', 'lambdalite'],
        ],
      ],
      [
        'Buckets',
        buckets.map(
          (b) =>
            [
              'Bucket',
              [
                ['Name', b.name],
                ['CreationDate', isoTime(b.creationDate)],
              ],
            ] as const,
        ),
      ],
    ],
  ]);
}

export async function createBucket({ engine, bucket }: S3Call) {
  await engine.buckets.create(bucket);
  return empty(200, { location: `/${bucket}` });
}

export async function headBucket({ engine, bucket, req }: S3Call) {
  await assertBucket(engine, bucket);
  return empty(200, { 'x-amz-bucket-region': req.region });
}

export async function deleteBucket({ engine, bucket }: S3Call) {
  await engine.buckets.delete(bucket);
  return empty(204);
}

export async function getBucketLocation({ engine, bucket, req }: S3Call) {
  await assertBucket(engine, bucket);
  // us-east-1 answers an empty LocationConstraint, as S3 does.
  return xmlReply(['LocationConstraint', req.region === 'us-east-1' ? '' : req.region]);
}
