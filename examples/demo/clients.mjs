// The clients the demo's functions use: `lambdalite/sdk` inside lambdalite; on AWS Lambda, where
// that package does not exist, a thin adapter with the same methods over the AWS SDK v3 that the
// Node.js runtimes carry. So the same code runs in both (examples/sam/template.yaml).
const sdk = await import('lambdalite/sdk').catch(() => awsClients());

export const { buckets, streams, tables } = sdk;

async function awsClients() {
  const [s3sdk, kinesisSdk, dynamodbSdk] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-kinesis'),
    import('@aws-sdk/client-dynamodb'),
  ]);
  const s3 = new s3sdk.S3Client({});
  const kinesis = new kinesisSdk.KinesisClient({});
  const dynamodb = new dynamodbSdk.DynamoDBClient({});
  const attribute = (v) => (typeof v === 'number' ? { N: String(v) } : { S: String(v) });
  return {
    buckets: {
      async getObject(bucket, key) {
        const out = await s3.send(new s3sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = Buffer.from(await out.Body.transformToByteArray());
        return { body, size: body.length, eTag: (out.ETag ?? '').replaceAll('"', '') };
      },
    },
    streams: {
      putRecord: (name, { partitionKey, data }) =>
        kinesis.send(
          new kinesisSdk.PutRecordCommand({
            StreamName: name,
            PartitionKey: partitionKey,
            Data: Buffer.from(data),
          }),
        ),
    },
    tables: {
      putItem: (name, item) =>
        dynamodb.send(
          new dynamodbSdk.PutItemCommand({
            TableName: name,
            Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attribute(v)])),
          }),
        ),
    },
  };
}
