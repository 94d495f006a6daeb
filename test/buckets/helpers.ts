import type { Engine } from '../../src/index.js';
import { Storage } from '../../src/storage/storage.js';

/** Every key/value of the store as text, to prove a rejected call wrote nothing. */
export async function dumpStore(location: string): Promise<string[]> {
  const storage = await Storage.open(location);
  try {
    const out: string[] = [];
    for (const name of ['buckets', 'objects', 'object-chunks', 'object-chunk-index', 'buckets-meta']) {
      const sub = storage.sublevel<unknown>(name, 'buffer');
      for (const [k, v] of await sub.iterator().all()) out.push(`${name}:${k}=${String(v)}`);
    }
    return out;
  } finally {
    await storage.close();
  }
}

/** All keys of a bucket, following continuation tokens. */
export async function allKeys(engine: Engine, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await engine.buckets.listObjects(bucket, { continuationToken: token });
    keys.push(...page.contents.map((c) => c.key));
    token = page.nextContinuationToken;
  } while (token);
  return keys;
}
