/**
 * The services `serve` answers, one module each. Adding a service is one more entry here.
 */
import type { Engine } from '../engine.js';
import { cloudwatchService } from './cloudwatch/index.js';
import { dynamodbService } from './dynamodb/index.js';
import { dynamodbStreamsService } from './dynamodb-streams/index.js';
import { iamService } from './iam/index.js';
import { kinesisService } from './kinesis/index.js';
import { lambdaService } from './lambda/index.js';
import { logsService } from './logs/index.js';
import { s3Service } from './s3/index.js';
import type { ServiceModule } from './service.js';

export function buildServices(engine: Engine): ServiceModule[] {
  return [
    s3Service(engine),
    lambdaService(engine),
    kinesisService(engine),
    dynamodbService(engine),
    dynamodbStreamsService(engine),
    iamService(engine),
    logsService(engine),
    cloudwatchService(engine),
  ];
}
