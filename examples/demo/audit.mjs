// Table-stream stage (examples/sam/template.yaml): a DynamoDB stream mapping delivers each change
// of the index table in order; this function logs it.
export const handler = async (event) => {
  for (const record of event.Records) {
    const keys = record.dynamodb.Keys;
    console.log(`audit: ${record.eventName} ${keys.folder.S}/${keys.key.S} (${process.env.WATCHING})`);
  }
};
