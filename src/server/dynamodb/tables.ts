/** CreateTable (with StreamSpecification), DescribeTable, DeleteTable, ListTables. */
import type { Engine } from '../../engine.js';
import type {
  CreateTableOptions,
  KeyAttribute,
  KeyType,
  StreamViewType,
  TableDescription,
} from '../../tables/model.js';
import { bool, type JsonObject, list, num, obj, str } from '../protocols/json.js';
import { WireError } from '../wire-error.js';

function invalid(message: string): never {
  throw new WireError('ValidationException', 400, message);
}

export function tableDescription(t: TableDescription): Record<string, unknown> {
  const keys = [t.partitionKey, ...(t.sortKey === undefined ? [] : [t.sortKey])];
  return {
    TableName: t.tableName,
    TableArn: t.tableArn,
    TableStatus: t.tableStatus,
    KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    CreationDateTime: t.creationDateTime.getTime() / 1000,
    ItemCount: 0,
    TableSizeBytes: 0,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    ...(t.streamViewType === undefined
      ? {}
      : {
          StreamSpecification: { StreamEnabled: true, StreamViewType: t.streamViewType },
          LatestStreamArn: t.latestStreamArn,
          LatestStreamLabel: t.latestStreamLabel,
        }),
  };
}

/** KeySchema + AttributeDefinitions as the engine's key attributes. */
function keysOf(input: JsonObject): Pick<CreateTableOptions, 'partitionKey' | 'sortKey'> {
  const types = new Map<string, string>();
  for (const def of list(input, 'AttributeDefinitions') ?? []) {
    const d = def as JsonObject;
    types.set(str(d, 'AttributeName', true), str(d, 'AttributeType', true));
  }
  const key = (kind: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
    const element = (list(input, 'KeySchema') ?? []).find((k) => (k as JsonObject)['KeyType'] === kind) as
      | JsonObject
      | undefined;
    if (element === undefined) return undefined;
    const name = str(element, 'AttributeName', true);
    const type = types.get(name);
    if (type === undefined)
      invalid(
        `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${name}]`,
      );
    return { name, type: type as KeyType };
  };
  const partitionKey = key('HASH');
  if (partitionKey === undefined) invalid('1 validation error detected: KeySchema must have a HASH key');
  const sortKey = key('RANGE');
  return { partitionKey, ...(sortKey === undefined ? {} : { sortKey }) };
}

export function tableOperations(engine: Engine) {
  return {
    async CreateTable(input: JsonObject) {
      const name = str(input, 'TableName', true);
      const stream = obj(input, 'StreamSpecification');
      const viewType =
        stream !== undefined && bool(stream, 'StreamEnabled') === true
          ? str(stream, 'StreamViewType')
          : undefined;
      if (stream !== undefined && bool(stream, 'StreamEnabled') === true && viewType === undefined) {
        invalid('StreamSpecification: StreamViewType is required when StreamEnabled is true');
      }
      await engine.tables.create(name, {
        ...keysOf(input),
        ...(viewType === undefined ? {} : { streamViewType: viewType as StreamViewType }),
      });
      return { TableDescription: tableDescription(await engine.tables.describe(name)) };
    },
    async DescribeTable(input: JsonObject) {
      return { Table: tableDescription(await engine.tables.describe(str(input, 'TableName', true))) };
    },
    async DeleteTable(input: JsonObject) {
      const name = str(input, 'TableName', true);
      const description = tableDescription(await engine.tables.describe(name));
      await engine.tables.delete(name);
      return { TableDescription: { ...description, TableStatus: 'DELETING' } };
    },
    async ListTables(input: JsonObject) {
      const start = str(input, 'ExclusiveStartTableName');
      const limit = num(input, 'Limit') ?? 100;
      const names = (await engine.tables.list()).sort().filter((n) => start === undefined || n > start);
      const page = names.slice(0, limit);
      return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page.at(-1) } : {}) };
    },
  };
}
