/**
 * Test doubles for the pull dispatcher's seams: a FunctionInvoker driven by a script (succeed,
 * throw, return batchItemFailures, throttle per call, recording every request), a function
 * directory, and failure destinations that record what they receive.
 */
import type {
  FailureDestinations,
  FailureRecord,
  FunctionDirectory,
  FunctionInfo,
  ShardSources,
} from '../../src/dispatch/pull/deps.js';
import type { ShardSource } from '../../src/dispatch/pull/shard-source.js';
import type { FunctionInvoker, InvocationOutcome, InvocationRequest } from '../../src/functions/invoker.js';
import { LambdaliteError } from '../../src/index.js';

/** What the scripted function does with one call. */
export type Behaviour =
  | { kind: 'ok'; result?: unknown }
  | { kind: 'error'; message?: string }
  | { kind: 'throttle' }
  | { kind: 'missing' };

export type Script = (
  records: KinesisLikeRecord[],
  call: number,
  request: InvocationRequest,
) => Behaviour | Promise<Behaviour>;

/** The fields tests read from either event shape. */
export interface KinesisLikeRecord {
  eventID: string;
  kinesis?: { sequenceNumber: string; partitionKey: string; data: string };
  dynamodb?: { SequenceNumber: string };
  [key: string]: unknown;
}

export const ok = (result?: unknown): Behaviour => ({ kind: 'ok', result });
export const fails = (message = 'boom'): Behaviour => ({ kind: 'error', message });
export const throttled = (): Behaviour => ({ kind: 'throttle' });
export const itemFailures = (...ids: string[]): Behaviour => ({
  kind: 'ok',
  result: { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) },
});

export class ScriptedInvoker implements FunctionInvoker {
  readonly requests: InvocationRequest[] = [];
  script: Script = () => ok();

  constructor(script?: Script) {
    if (script) this.script = script;
  }

  /** Records of every call, in call order. */
  get batches(): KinesisLikeRecord[][] {
    return this.requests.map((r) => (r.payload as { Records: KinesisLikeRecord[] }).Records);
  }

  async invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const call = this.requests.length;
    this.requests.push(request);
    const records = (request.payload as { Records: KinesisLikeRecord[] }).Records;
    const behaviour = await this.script(records, call, request);
    const base = { requestId: request.requestId, executedVersion: '$LATEST', durationMs: 1, statusCode: 200 };
    switch (behaviour.kind) {
      case 'ok':
        return { ...base, payload: behaviour.result ?? null };
      case 'error':
        return {
          ...base,
          functionError: 'Unhandled',
          payload: { errorType: 'Error', errorMessage: behaviour.message ?? 'boom', trace: [] },
        };
      case 'throttle':
        throw new LambdaliteError('TooManyRequestsException', 'Rate Exceeded.', { statusCode: 429 });
      case 'missing':
        throw new LambdaliteError(
          'ResourceNotFoundException',
          `Function not found: ${request.functionName}`,
          {
            statusCode: 404,
          },
        );
    }
  }
}

export class FakeFunctions implements FunctionDirectory {
  readonly functions = new Map<string, FunctionInfo>();

  add(name: string, role = `arn:aws:iam::000000000000:role/${name}-role`): FunctionInfo {
    const info = {
      functionName: name,
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      role,
    };
    this.functions.set(name, info);
    return info;
  }

  async get(name: string): Promise<FunctionInfo | undefined> {
    return this.functions.get(name);
  }
}

export class RecordingDestinations implements FailureDestinations {
  readonly sent: Array<{ destinationArn: string; record: FailureRecord }> = [];

  /** When set, send() rejects with it (the destination is down). */
  failure: Error | undefined;

  async send(destinationArn: string, record: FailureRecord): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ destinationArn, record });
  }
}

/** A ShardSources over a set of sources; `set` swaps one in (e.g. after a restart). */
export class FakeSources implements ShardSources {
  readonly byArn = new Map<string, ShardSource>();

  constructor(...sources: ShardSource[]) {
    for (const s of sources) this.set(s);
  }

  set(source: ShardSource): void {
    this.byArn.set(source.arn, source);
  }

  async get(arn: string): Promise<ShardSource | undefined> {
    return this.byArn.get(arn);
  }
}
