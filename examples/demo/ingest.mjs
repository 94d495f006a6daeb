// Push stage: runs for every upload notification, reads the object and forwards a summary to
// the `demo-feed` stream, partitioned by folder so each folder's uploads stay in order.
import { buckets, streams } from './clients.mjs';

const FEED = process.env.FEED_STREAM ?? 'demo-feed';

export const handler = async (event) => {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const object = await buckets.getObject(bucket, key);
    const folder = key.includes('/') ? key.slice(0, key.indexOf('/')) : '(root)';
    const words = object.body.toString('utf8').split(/\s+/).filter(Boolean).length;
    await streams.putRecord(FEED, {
      partitionKey: folder,
      data: JSON.stringify({ folder, key, size: object.size, words, eTag: object.eTag }),
    });
    console.log(`forwarded ${key} (${words} words) to ${FEED}`);
  }
};
