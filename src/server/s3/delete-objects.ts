/** DeleteObjects: `POST /bucket?delete` with a `<Delete>` list; per-key results, never all-or-nothing. */
import { isLambdaliteError } from '../../errors.js';
import { type XmlNode, xmlChild, xmlList, xmlText } from '../protocols/xml.js';
import { WireError } from '../wire-error.js';
import { assertBucket, type S3Call, xmlBody, xmlReply } from './common.js';

const MAX_KEYS = 1000;

export async function deleteObjects(call: S3Call) {
  const doc = xmlBody(call.req);
  const request = xmlChild(doc, 'Delete');
  const quiet = xmlText(request, 'Quiet') === 'true';
  const keys = xmlList(xmlChild(request, 'Object')).map((o) => xmlText(o, 'Key') ?? '');
  if (keys.length === 0 || keys.length > MAX_KEYS) {
    throw new WireError('MalformedXML', 400, `DeleteObjects takes 1 to ${MAX_KEYS} keys, got ${keys.length}`);
  }
  await assertBucket(call.engine, call.bucket);
  const results: XmlNode[] = [];
  for (const key of keys) {
    try {
      await call.engine.buckets.deleteObject(call.bucket, key);
      if (!quiet) results.push(['Deleted', [['Key', key]]]);
    } catch (err) {
      if (!isLambdaliteError(err)) throw err;
      results.push([
        'Error',
        [
          ['Key', key],
          ['Code', err.code],
          ['Message', err.message],
        ],
      ]);
    }
  }
  return xmlReply(['DeleteResult', results]);
}
