/** PutItem, GetItem, UpdateItem, DeleteItem, Query. */
import type { Engine } from '../../engine.js';
import { marshalItem } from '../../tables/marshal.js';
import type { Item, WriteOptions } from '../../tables/model.js';
import { bool, type JsonObject, num, obj, str } from '../protocols/json.js';
import { WireError } from '../wire-error.js';
import { decodeItem, decodeValues } from './attribute-values.js';
import { parseCondition, parseKeyCondition, parseUpdate } from './expressions.js';

function required(input: JsonObject, name: string): JsonObject {
  const value = obj(input, name);
  if (value === undefined)
    throw new WireError('ValidationException', 400, `1 validation error detected: ${name} is required`);
  return value;
}

function writeOptions(input: JsonObject, values: ReadonlyMap<string, unknown>): WriteOptions {
  const condition = str(input, 'ConditionExpression');
  return condition === undefined
    ? {}
    : { condition: parseCondition(condition, obj(input, 'ExpressionAttributeNames'), values) };
}

/** The engine's writes return no old image, so only the return values it can give are accepted. */
function returnValues(input: JsonObject, allowed: readonly string[]): string {
  const value = str(input, 'ReturnValues') ?? 'NONE';
  if (!allowed.includes(value)) {
    throw new WireError(
      'ValidationException',
      400,
      `ReturnValues ${value} is not supported by lambdalite here (supported: ${allowed.join(', ')})`,
    );
  }
  return value;
}

export function itemOperations(engine: Engine) {
  return {
    async PutItem(input: JsonObject) {
      returnValues(input, ['NONE']);
      const values = decodeValues(obj(input, 'ExpressionAttributeValues'));
      await engine.tables.putItem(
        str(input, 'TableName', true),
        decodeItem(required(input, 'Item')),
        writeOptions(input, values),
      );
      return {};
    },
    async GetItem(input: JsonObject) {
      const item = await engine.tables.getItem(
        str(input, 'TableName', true),
        decodeItem(required(input, 'Key')),
      );
      return item === undefined ? {} : { Item: marshalItem(item) };
    },
    async UpdateItem(input: JsonObject) {
      const wanted = returnValues(input, ['NONE', 'ALL_NEW']);
      const expression = str(input, 'UpdateExpression', true);
      const names = obj(input, 'ExpressionAttributeNames');
      const values = decodeValues(obj(input, 'ExpressionAttributeValues'));
      const item: Item | undefined = await engine.tables.updateItem(
        str(input, 'TableName', true),
        decodeItem(required(input, 'Key')),
        parseUpdate(expression, names, values),
        writeOptions(input, values),
      );
      return wanted === 'ALL_NEW' && item !== undefined ? { Attributes: marshalItem(item) } : {};
    },
    async DeleteItem(input: JsonObject) {
      returnValues(input, ['NONE']);
      const values = decodeValues(obj(input, 'ExpressionAttributeValues'));
      await engine.tables.deleteItem(
        str(input, 'TableName', true),
        decodeItem(required(input, 'Key')),
        writeOptions(input, values),
      );
      return {};
    },
    async Query(input: JsonObject) {
      const table = str(input, 'TableName', true);
      if (str(input, 'FilterExpression') !== undefined || str(input, 'IndexName') !== undefined) {
        throw new WireError(
          'ValidationException',
          400,
          'FilterExpression and IndexName are not supported by lambdalite',
        );
      }
      const { partitionKey } = await engine.tables.describe(table);
      const values = decodeValues(obj(input, 'ExpressionAttributeValues'));
      const key = parseKeyCondition(
        str(input, 'KeyConditionExpression', true),
        obj(input, 'ExpressionAttributeNames'),
        values,
        partitionKey.name,
      );
      const limit = num(input, 'Limit');
      const start = obj(input, 'ExclusiveStartKey');
      const forward = bool(input, 'ScanIndexForward');
      const out = await engine.tables.query(table, {
        ...key,
        ...(limit === undefined ? {} : { limit }),
        ...(start === undefined ? {} : { exclusiveStartKey: decodeItem(start) }),
        ...(forward === undefined ? {} : { scanIndexForward: forward }),
      });
      return {
        Items: out.items.map((i) => marshalItem(i)),
        Count: out.count,
        ScannedCount: out.count,
        ...(out.lastEvaluatedKey === undefined
          ? {}
          : { LastEvaluatedKey: marshalItem(out.lastEvaluatedKey) }),
      };
    },
  };
}
