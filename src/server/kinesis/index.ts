/** Kinesis over JSON 1.1 (`X-Amz-Target: Kinesis_20131202.<Operation>`). */
import type { Engine } from '../../engine.js';
import { type JsonOperation, jsonModule } from '../protocols/json.js';
import type { ServiceModule } from '../service.js';
import type { ErrorDialect } from '../wire-error.js';
import { recordOperations } from './records.js';
import { streamOperations } from './streams.js';

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'InternalFailure',
  unavailableCode: 'ServiceUnavailable',
});
const PREFIX = 'Kinesis_20131202';
/** PutRecords carries up to 5 MiB of data, base64 in JSON. */
const LIMIT = 10 * 1024 * 1024;

export function kinesisService(engine: Engine): ServiceModule {
  const operations = new Map<string, JsonOperation>(
    Object.entries({ ...streamOperations(engine), ...recordOperations(engine) }),
  );
  return jsonModule({
    name: 'kinesis',
    signingName: 'kinesis',
    targetPrefix: PREFIX,
    version: '1.1',
    operations,
    dialect: DIALECT,
    maxBodyBytes: LIMIT,
    bodyTooLarge: ['InvalidArgumentException', 413],
  });
}
