// Pull stage: a mapping delivers demo-feed's records in order per shard; each one becomes an
// item of the `demo-index` table.
import { tables } from './clients.mjs';

const TABLE = process.env.INDEX_TABLE ?? 'demo-index';

export const handler = async (event) => {
  for (const record of event.Records) {
    const upload = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    await tables.putItem(TABLE, { ...upload, sequenceNumber: record.kinesis.sequenceNumber });
  }
  console.log(`indexed ${event.Records.length} record(s) from ${event.Records[0].eventID.split(':')[0]}`);
  return { batchItemFailures: [] };
};
