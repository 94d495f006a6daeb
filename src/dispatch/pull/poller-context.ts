/** Everything a shard poller and its batch processors share, built by the mapping runner. */
import type { Clock } from '../../clock.js';
import type { EventHub } from '../../events.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import type { MappingSettings } from '../../mappings/types.js';
import type { BackoffPolicy } from '../retry.js';
import type { FailureDestinations, FunctionDirectory, MappingAuthorizer } from './deps.js';
import type { ShardSource } from './shard-source.js';

export interface PollerContext {
  readonly uuid: string;
  readonly shardId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** The ARN the mapping names (may carry a qualifier), passed as invokedFunctionArn. */
  readonly invokedFunctionArn: string;
  readonly eventSourceArn: string;
  readonly region: string;
  readonly settings: Readonly<MappingSettings>;
  readonly source: ShardSource;
  readonly functions: FunctionDirectory;
  readonly invoker: FunctionInvoker;
  readonly destinations: FailureDestinations | undefined;
  /** Checked before each invoke; a refusal blocks the shard (retried with backoff). */
  readonly authorizer?: MappingAuthorizer | undefined;
  readonly events: EventHub;
  readonly clock: Clock;
  readonly backoff: BackoffPolicy;
  /** Largest event a batch may make (the synchronous invoke payload limit), bytes. */
  readonly maxPayloadBytes: number;
  /** Aborted when the poller must stop (disable, delete, close). */
  readonly signal: AbortSignal;
  /** Records the mapping's lastProcessingResult (persisted when it changes). */
  setResult(text: string): Promise<void>;
  /** Iterator age of the batch just sent, ms. */
  noteIteratorAge(ms: number): void;
}
