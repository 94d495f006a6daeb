/** Events of DynamoDB-style tables. */
export interface TableEventMap {
  'table.created': { tableName: string; tableArn: string; streamArn?: string };
  'table.deleted': { tableName: string; tableArn: string };
  /** An item write that changed the item (and, with a stream, produced this change record). */
  'table.itemChanged': {
    tableName: string;
    eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
    sequenceNumber?: string;
  };
}
