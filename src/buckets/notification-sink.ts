/**
 * The seam between buckets and the push dispatcher. A bucket write finds the notification
 * configurations its event matches and asks the sink for the batch operations that persist one
 * delivery per configuration; they go into the SAME LevelDB batch as the object, so a crash can
 * never keep the object and lose its event (DESIGN.md §2.1).
 */
import type { BatchOp } from '../storage/storage.js';

/** An S3 event notification record exactly as AWS shapes it (reference §1.1). */
export interface S3EventRecord {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** One event to deliver to one function, because one configuration matched. */
export interface NotificationDelivery {
  /** Function ARN from the matching configuration. */
  functionArn: string;
  /** Invocation role ARN from the configuration, if any (the 2014 model). */
  invocationRole?: string;
  bucket: string;
  /** The record with `s3.configurationId` set to the matching configuration's id. */
  record: S3EventRecord;
}

export interface NotificationSink {
  /** Batch operations that durably enqueue these deliveries; written with the object. */
  deliveryOps(deliveries: readonly NotificationDelivery[]): BatchOp[];
  /** Called once the batch holding those operations committed: wake the dispatcher. */
  committed(deliveries: readonly NotificationDelivery[]): void;
}
