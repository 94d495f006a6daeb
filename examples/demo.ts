/**
 * `npm start`: a small tour on a LevelDB directory (./data/demo). Creates a bucket if absent,
 * writes a few objects, lists them with a delimiter and prints the S3 event records.
 */
import { createEngine, isLambdaliteError } from '../src/index.js';

const engine = await createEngine({ location: './data/demo' });
const subscription = engine.buckets.events$.subscribe((record) => {
  const { eventName, s3 } = record;
  console.log(
    `event  ${eventName.padEnd(21)} ${s3.bucket.name}/${s3.object.key}  sequencer=${s3.object.sequencer}`,
  );
});

try {
  await engine.buckets.create('demo-photos');
  console.log('created bucket demo-photos');
} catch (err) {
  if (!isLambdaliteError(err, 'BucketAlreadyOwnedByYou')) throw err;
  console.log('bucket demo-photos already exists (data persisted from an earlier run)');
}

await engine.buckets.putObject('demo-photos', 'cats/tom.jpg', 'meow', { contentType: 'image/jpeg' });
await engine.buckets.putObject('demo-photos', 'cats/felix.jpg', 'purr', { contentType: 'image/jpeg' });
await engine.buckets.putObject('demo-photos', 'dogs/rex and fido.jpg', 'woof', {
  metadata: { breed: 'mixed' },
});
await engine.buckets.putObject('demo-photos', 'readme.txt', 'a demo bucket', { contentType: 'text/plain' });
await engine.buckets.copyObject('demo-photos', 'readme.txt', 'demo-photos', 'backup/readme.txt');
await engine.buckets.deleteObject('demo-photos', 'backup/readme.txt');

const listing = await engine.buckets.listObjects('demo-photos', { delimiter: '/' });
console.log('\nlistObjects delimiter "/":');
for (const prefix of listing.commonPrefixes) console.log(`  ${prefix}`);
for (const object of listing.contents) console.log(`  ${object.key}  ${object.size} B  etag ${object.eTag}`);

const readme = await engine.buckets.getObject('demo-photos', 'readme.txt');
console.log(`\nreadme.txt (${readme.contentType}): ${readme.body.toString()}`);

subscription.unsubscribe();
await engine.close();
