/** The engine's camelCase shapes as Lambda's wire shapes (PascalCase, seconds). */
import type { EventInvokeConfig } from '../../dispatch/push/types.js';
import type { FunctionConfiguration } from '../../functions/types.js';
import type { EventSourceMapping } from '../../mappings/types.js';

export function functionConfiguration(c: FunctionConfiguration): Record<string, unknown> {
  return {
    FunctionName: c.functionName,
    FunctionArn: c.functionArn,
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: c.codeSize,
    Description: c.description,
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: c.lastModified,
    CodeSha256: c.codeSha256,
    Version: c.version,
    Environment: { Variables: c.environment },
    RevisionId: c.revisionId,
    // The SDK's waiters (function-active, function-updated) poll these two.
    State: c.state,
    LastUpdateStatus: 'Successful',
    PackageType: c.packageType,
    Architectures: ['x86_64'],
  };
}

export function eventInvokeConfig(c: EventInvokeConfig, functionArn: string): Record<string, unknown> {
  const destinations: Record<string, unknown> = {};
  if (c.onSuccess !== undefined) destinations['OnSuccess'] = { Destination: c.onSuccess };
  if (c.onFailure !== undefined) destinations['OnFailure'] = { Destination: c.onFailure };
  return {
    FunctionArn: functionArn,
    MaximumRetryAttempts: c.maximumRetryAttempts,
    MaximumEventAgeInSeconds: c.maximumEventAgeSec,
    LastModified: c.lastModified / 1000,
    DestinationConfig: destinations,
  };
}

export function eventSourceMapping(m: EventSourceMapping): Record<string, unknown> {
  return {
    UUID: m.uuid,
    StartingPosition: m.startingPosition,
    ...(m.startingPositionTimestamp === undefined
      ? {}
      : { StartingPositionTimestamp: m.startingPositionTimestamp / 1000 }),
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: Math.round(m.maximumBatchingWindowMs / 1000),
    ParallelizationFactor: m.parallelizationFactor,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    LastModified: m.lastModified,
    LastProcessingResult: m.lastProcessingResult,
    State: m.state,
    StateTransitionReason: m.stateTransitionReason,
    DestinationConfig: m.onFailure === undefined ? {} : { OnFailure: { Destination: m.onFailure } },
    MaximumRecordAgeInSeconds: m.maximumRecordAgeSec,
    BisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
    MaximumRetryAttempts: m.maximumRetryAttempts,
    FunctionResponseTypes: m.functionResponseTypes,
  };
}
