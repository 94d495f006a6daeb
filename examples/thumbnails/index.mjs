// An S3-triggered function that writes a "thumbnail" beside each upload, through lambdalite/sdk.
import { buckets } from 'lambdalite/sdk';

export const handler = async (event) => {
  const { bucket, object } = event.Records[0].s3;
  const key = decodeURIComponent(object.key.replace(/\+/g, ' '));
  const original = await buckets.getObject(bucket.name, key);
  await buckets.putObject(bucket.name, `thumbnails/${key}`, original.body.subarray(0, 16));
  try {
    await buckets.putObject(bucket.name, `elsewhere/${key}`, original.body);
  } catch (err) {
    console.log(`as expected: ${err.code}: ${err.message}`);
  }
};
