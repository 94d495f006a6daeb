/**
 * `engine.mappings`: event source mappings between shard sources and functions. A thin facade:
 * validation lives in validate.ts / create.ts, persistence in store.ts, polling in
 * src/dispatch/pull/. The shard sources, function directory, invoker, IAM checks and failure
 * destinations are given at construction (see docs/notes/mappings.md); `start()` restarts the
 * stored enabled mappings once the engine is open.
 */
import type { EngineContext } from '../context.js';
import type { MappingCoordination } from '../dispatch/pull/coordination.js';
import type {
  FailureDestinations,
  FunctionDirectory,
  MappingAuthorizer,
  ShardSources,
} from '../dispatch/pull/deps.js';
import { MappingRunner } from '../dispatch/pull/mapping-runner.js';
import { type BackoffPolicy, DEFAULT_PULL_BACKOFF } from '../dispatch/retry.js';
import { LambdaliteError } from '../errors.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { prepareCreate } from './create.js';
import type { SharedMapping, SharedMappingRecords } from './shared-records.js';
import { MappingStore } from './store.js';
import {
  type CheckpointRecord,
  type CreateMappingInput,
  type EventSourceMapping,
  LAST_RESULT,
  type MappingRecord,
  type MappingState,
  type StoredFailure,
  type UpdateMappingInput,
} from './types.js';
import { checkListFilter, checkUpdateInput, parseFunctionName, validateSettings } from './validate.js';

function transitionOf(was: boolean, now: boolean): MappingState {
  if (was === now) return 'Updating';
  return now ? 'Enabling' : 'Disabling';
}

/** What the mappings facade is built with. */
export interface MappingsDeps {
  /** Where stream and table-stream shards come from. */
  readonly sources: ShardSources;
  /** Function lookup (ARN, role). */
  readonly functions: FunctionDirectory;
  /** The runtime that runs invocations. */
  readonly invoker: FunctionInvoker;
  /** Delivery of on-failure records. */
  readonly destinations?: FailureDestinations | undefined;
  /** IAM checks at create / update and before each invoke. */
  readonly authorizer?: MappingAuthorizer | undefined;
  /** Retry backoff of failing batches (default about 1 s doubling to 30 s). */
  backoff?: BackoffPolicy;
  /** Longest real-time wait for batches in flight when stopping pollers, ms. */
  stopTimeoutMs?: number;
  /** Engine processes on one cluster split each mapping's shards through it (the JetStream backend). */
  coordination?: MappingCoordination | undefined;
  /** Settings shared by the engine processes on one cluster (the JetStream backend). */
  shared?: SharedMappingRecords | undefined;
}

export class Mappings {
  readonly #ctx: EngineContext;
  readonly #store: MappingStore;
  readonly #mutex = new KeyedMutex();
  readonly #runners = new Map<string, MappingRunner>();
  /** Mappings whose runner is being built (see #startRunner). */
  readonly #starting = new Set<string>();
  readonly #results = new Map<string, string>();
  readonly #backoff: BackoffPolicy;
  readonly #stopTimeoutMs: number;
  readonly #sources: ShardSources;
  readonly #functions: FunctionDirectory;
  readonly #invoker: FunctionInvoker;
  readonly #destinations: FailureDestinations | undefined;
  readonly #authorizer: MappingAuthorizer | undefined;
  readonly #coordination: MappingCoordination | undefined;
  readonly #shared: SharedMappingRecords | undefined;

  /** @internal built by the engine. */
  constructor(ctx: EngineContext, deps: MappingsDeps) {
    this.#ctx = ctx;
    this.#store = new MappingStore(ctx.storage, ctx.clock);
    this.#sources = deps.sources;
    this.#functions = deps.functions;
    this.#invoker = deps.invoker;
    this.#destinations = deps.destinations;
    this.#authorizer = deps.authorizer;
    this.#coordination = deps.coordination;
    this.#backoff = deps.backoff ?? DEFAULT_PULL_BACKOFF;
    this.#stopTimeoutMs = deps.stopTimeoutMs ?? 5000;
    this.#shared = deps.shared;
    // A mapping written on another process (or this one: adopting it again changes nothing).
    deps.shared?.changes$.subscribe(({ uuid, mapping }) => {
      this.#mutex
        .run(uuid, () => this.#adopt(uuid, mapping))
        .catch((err: unknown) => this.#adoptionFailed(uuid, err));
    });
  }

  /** @internal the engine, once open: restarts the pollers of every enabled stored mapping. */
  async start(): Promise<void> {
    if (this.#ctx.lifecycle.status !== 'open') return;
    const shared = this.#shared;
    if (shared) {
      // The cluster's mappings are the truth: take every one, drop local copies of deleted ones.
      const uuids = new Set([
        ...(await shared.all()).map((m) => m.record.uuid),
        ...(await this.#store.all()).map((r) => r.uuid),
      ]);
      for (const uuid of uuids) {
        await this.#mutex
          .run(uuid, async () => this.#adopt(uuid, await shared.get(uuid)))
          .catch((err: unknown) => this.#adoptionFailed(uuid, err));
      }
      return;
    }
    for (const record of await this.#store.all()) {
      if (record.enabled && !this.#runners.has(record.uuid)) await this.#startRunner(record);
    }
  }

  /**
   * Brings this process's copy of a shared mapping to what the cluster stores (undefined:
   * deleted) and starts or stops its pollers to match. Runs under the mapping's lock.
   */
  async #adopt(uuid: string, mapping: SharedMapping | undefined): Promise<void> {
    if (this.#ctx.lifecycle.status !== 'open') return;
    const local = await this.#store.get(uuid);
    if (!mapping) {
      if (!local) return;
      await this.#stopRunner(uuid);
      await this.#store.delete(uuid);
      this.#results.delete(uuid);
      this.#ctx.events.emit('mapping.deleted', { uuid });
      return;
    }
    const { record } = mapping;
    if (!local || JSON.stringify(local) !== JSON.stringify(record)) {
      await this.#stopRunner(uuid);
      if (local) await this.#store.put(record);
      else {
        await this.#store.create(
          record,
          { lastProcessingResult: LAST_RESULT.none },
          new Map(mapping.initial),
        );
      }
      this.#ctx.events.emit('mapping.state', {
        uuid,
        state: record.state,
        reason: record.stateTransitionReason,
      });
    }
    if (record.enabled) await this.#startRunner(record);
    else await this.#stopRunner(uuid);
  }

  #adoptionFailed(uuid: string, err: unknown): void {
    this.#ctx.events.emit('mapping.error', {
      uuid,
      shardId: undefined,
      message: `taking the cluster's copy of the mapping failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  /** Every mapping's settings: the cluster's when shared, else this engine's. */
  async #all(): Promise<MappingRecord[]> {
    return this.#shared ? (await this.#shared.all()).map((m) => m.record) : this.#store.all();
  }

  /**
   * Creates a mapping; its pollers start at once when enabled.
   *
   * @example
   * const { uuid } = await engine.mappings.create({
   *   functionName: 'indexer', eventSourceArn: stream.arn, startingPosition: 'TRIM_HORIZON', batchSize: 50,
   * });
   */
  async create(input: CreateMappingInput): Promise<EventSourceMapping> {
    this.#ctx.lifecycle.assertOpen();
    const sources = this.#sources;
    const functions = this.#functions;
    const record = await this.#mutex.run('create', async () => {
      const prepared = await prepareCreate(this.#ctx, input, sources, functions, await this.#all());
      await this.#authorize(prepared.record, true);
      await this.#mutex.run(prepared.record.uuid, async () => {
        // Shared first: a create that loses the race writes nothing here.
        await this.#shared?.create({ record: prepared.record, initial: [...prepared.initial] });
        await this.#store.create(
          prepared.record,
          { lastProcessingResult: LAST_RESULT.none },
          prepared.initial,
        );
      });
      return prepared.record;
    });
    this.#results.set(record.uuid, LAST_RESULT.none);
    this.#ctx.events.emit('mapping.created', {
      uuid: record.uuid,
      functionArn: record.functionArn,
      eventSourceArn: record.eventSourceArn,
    });
    this.#ctx.events.emit('mapping.state', { uuid: record.uuid, state: record.state, reason: 'User action' });
    if (record.enabled) await this.#startRunner(record);
    // Like CreateEventSourceMapping, the answer shows the transitional state; get() the final one.
    return { ...(await this.#view(record)), state: 'Creating' };
  }

  async get(uuid: string): Promise<EventSourceMapping> {
    this.#ctx.lifecycle.assertOpen();
    return this.#view(await this.#require(uuid));
  }

  async list(rawFilter?: { functionName?: string; eventSourceArn?: string }): Promise<EventSourceMapping[]> {
    this.#ctx.lifecycle.assertOpen();
    const filter = checkListFilter(rawFilter);
    const name =
      filter.functionName === undefined
        ? undefined
        : parseFunctionName(filter.functionName, this.#ctx.region, this.#ctx.accountId).name;
    const all = await this.#all();
    const wanted = all.filter(
      (m) =>
        (name === undefined || m.functionName === name) &&
        (filter.eventSourceArn === undefined || m.eventSourceArn === filter.eventSourceArn),
    );
    return Promise.all(wanted.map((m) => this.#view(m)));
  }

  /** Changes settings; enabling resumes from the checkpoint, disabling keeps it. */
  async update(uuid: string, rawChanges: UpdateMappingInput): Promise<EventSourceMapping> {
    this.#ctx.lifecycle.assertOpen();
    const changes = checkUpdateInput(rawChanges);
    const { next: record, transition } = await this.#mutex.run(uuid, async () => {
      const sharedCurrent = await this.#requireShared(uuid);
      const current = sharedCurrent?.record ?? (await this.#require(uuid));
      const settings = validateSettings(changes, current);
      const next: MappingRecord = { ...current, ...settings, lastModifiedMs: this.#ctx.clock.now() };
      if (changes.enabled !== undefined) {
        if (typeof changes.enabled !== 'boolean') {
          throw new LambdaliteError(
            'InvalidParameterValueException',
            `enabled must be a boolean, got ${JSON.stringify(changes.enabled)}`,
          );
        }
        next.enabled = changes.enabled;
      }
      if (changes.functionName !== undefined) {
        const ref = parseFunctionName(changes.functionName, this.#ctx.region, this.#ctx.accountId);
        const fn = await this.#functions.get(ref.name);
        if (!fn) {
          throw new LambdaliteError(
            'ResourceNotFoundException',
            `Function not found: ${changes.functionName}`,
            {
              statusCode: 404,
            },
          );
        }
        next.functionName = fn.functionName;
        next.functionArn =
          ref.qualifier === undefined ? fn.functionArn : `${fn.functionArn}:${ref.qualifier}`;
      }
      if (changes.role !== undefined || changes.functionName !== undefined) {
        await this.#authorize(next, changes.role !== undefined);
      }
      next.state = next.enabled ? 'Enabled' : 'Disabled';
      next.stateTransitionReason = 'User action';
      if (sharedCurrent) await this.#shared?.update(next, sharedCurrent);
      await this.#stopRunner(uuid);
      await this.#store.put(next);
      return { next, transition: transitionOf(current.enabled, next.enabled) };
    });
    const changed = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
    this.#ctx.events.emit('mapping.updated', { uuid, changed });
    this.#ctx.events.emit('mapping.state', {
      uuid,
      state: record.state,
      reason: record.stateTransitionReason,
    });
    if (record.enabled) await this.#startRunner(record);
    // Like UpdateEventSourceMapping, the answer shows the transitional state; get() the final one.
    return { ...(await this.#view(record)), state: transition };
  }

  /** Stops the mapping's pollers and removes it with its checkpoints and failure list. */
  async delete(uuid: string): Promise<EventSourceMapping> {
    this.#ctx.lifecycle.assertOpen();
    return this.#mutex.run(uuid, async () => {
      const shared = await this.#requireShared(uuid);
      const record = shared?.record ?? (await this.#require(uuid));
      const view = await this.#view(record);
      if (shared) await this.#shared?.delete(shared);
      await this.#stopRunner(uuid);
      await this.#store.delete(uuid);
      this.#results.delete(uuid);
      this.#ctx.events.emit('mapping.deleted', { uuid });
      return { ...view, state: 'Deleting' as const };
    });
  }

  /** Given-up batches kept because the mapping had no on-failure destination (or it failed). */
  async failures(uuid: string): Promise<StoredFailure[]> {
    this.#ctx.lifecycle.assertOpen();
    await this.#require(uuid);
    return this.#store.failures(uuid);
  }

  /** @internal engine close: stops every poller (bounded wait for batches in flight). */
  async close(): Promise<void> {
    await Promise.all([...this.#runners.keys()].map((uuid) => this.#stopRunner(uuid)));
  }

  /**
   * iam:PassRole for a role being set, then the access the pollers will need; a refusal is
   * InvalidParameterValueException naming role, action and resource, as AWS answers.
   */
  async #authorize(record: MappingRecord, passingRole: boolean): Promise<void> {
    const authorizer = this.#authorizer;
    if (!authorizer) return;
    if (passingRole && record.role !== undefined) await authorizer.passRole(record.role);
    const fn = await this.#functions.get(record.functionName);
    if (!fn) return;
    const verdict = await authorizer.check({
      functionName: record.functionName,
      eventSourceArn: record.eventSourceArn,
      sourceKind: record.sourceKind,
      role: record.role,
      executionRole: fn.role,
    });
    if (!verdict.allowed) throw new LambdaliteError(verdict.code, verdict.reason);
  }

  /** The cluster's copy (undefined without shared settings); ResourceNotFoundException when gone. */
  async #requireShared(uuid: string): Promise<SharedMapping | undefined> {
    if (!this.#shared) return undefined;
    const mapping = typeof uuid === 'string' ? await this.#shared.get(uuid) : undefined;
    return mapping ?? notFound(uuid);
  }

  async #require(uuid: string): Promise<MappingRecord> {
    if (this.#shared) return ((await this.#requireShared(uuid)) as SharedMapping).record;
    const record = typeof uuid === 'string' ? await this.#store.get(uuid) : undefined;
    if (!record) {
      throw new LambdaliteError(
        'ResourceNotFoundException',
        `The resource you requested does not exist. (mapping ${uuid})`,
        {
          statusCode: 404,
        },
      );
    }
    return record;
  }

  async #lastResult(uuid: string): Promise<string> {
    let result = this.#results.get(uuid);
    if (result === undefined) {
      result = (await this.#store.status(uuid))?.lastProcessingResult ?? LAST_RESULT.none;
      this.#results.set(uuid, result);
    }
    return result;
  }

  async #startRunner(record: MappingRecord): Promise<void> {
    // Shared mappings start from two paths (the create and the watch's adoption): the check and
    // the registration below are apart by awaits, so a start in progress counts as running.
    if (this.#starting.has(record.uuid)) return;
    this.#starting.add(record.uuid);
    try {
      await this.#startRunnerOnce(record);
    } finally {
      this.#starting.delete(record.uuid);
    }
  }

  async #startRunnerOnce(record: MappingRecord): Promise<void> {
    const sources = this.#sources;
    const functions = this.#functions;
    const invoker = this.#invoker;
    if (this.#runners.has(record.uuid)) return;
    if (this.#ctx.lifecycle.status !== 'open') return;
    await this.#lastResult(record.uuid);
    const uuid = record.uuid;
    const runner = new MappingRunner(
      {
        sources,
        functions,
        invoker,
        destinations: this.#destinations,
        authorizer: this.#authorizer,
        store: this.#store,
        events: this.#ctx.events,
        clock: this.#ctx.clock,
        region: this.#ctx.region,
        backoff: this.#backoff,
        maxPayloadBytes: this.#ctx.quotas.syncPayloadBytes,
        status: {
          get: () => this.#results.get(uuid) ?? LAST_RESULT.none,
          remember: (text) => this.#results.set(uuid, text),
          set: async (text) => {
            if (this.#results.get(uuid) === text) return;
            this.#results.set(uuid, text);
            await this.#store.commit(
              this.#store.commitOps(uuid, undefined, undefined, { lastProcessingResult: text }, []),
            );
          },
        },
        onSourceMissing: () => void this.#sourceMissing(uuid),
        coordination: this.#coordination,
      },
      record,
      await this.#store.checkpoints(uuid),
    );
    this.#runners.set(uuid, runner);
    try {
      await runner.start();
    } catch (err) {
      // The mapping stays stored; it starts again on the next update or engine restart.
      this.#ctx.events.emit('mapping.error', {
        uuid,
        shardId: undefined,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async #stopRunner(uuid: string): Promise<void> {
    const runner = this.#runners.get(uuid);
    if (!runner) return;
    this.#runners.delete(uuid);
    await runner.stop(this.#stopTimeoutMs);
  }

  /**
   * The stream or table stream is gone. AWS keeps the mapping and reports a problem; we stop its
   * pollers, mark it Disabled with a PROBLEM reason, and keep it (with its checkpoints) for the user.
   */
  async #sourceMissing(uuid: string): Promise<void> {
    await this.#mutex.run(uuid, async () => {
      const record = await this.#store.get(uuid);
      if (!record || !this.#runners.has(uuid) || this.#ctx.lifecycle.status !== 'open') return;
      await this.#stopRunner(uuid);
      const reason = `PROBLEM: event source ${record.eventSourceArn} does not exist`;
      const shared = this.#shared;
      if (shared) {
        // The sources answer from the cluster: created again meanwhile, the mapping runs on.
        if (await this.#sources.get(record.eventSourceArn)) {
          await this.#adopt(uuid, await shared.get(uuid));
          return;
        }
        // Gone for every process: disabled for all, as embedded, through the shared settings
        // (each process that noticed tries; one write wins, the others take it from the cluster).
        await this.#noteSourceMissing(uuid);
        const current = await shared.get(uuid);
        if (!current) return;
        if (current.record.enabled) {
          const next = {
            ...current.record,
            state: 'Disabled' as const,
            enabled: false,
            stateTransitionReason: reason,
          };
          try {
            await shared.update(next, current);
          } catch (err) {
            if (!(err instanceof LambdaliteError && err.code === 'ResourceConflictException')) throw err;
          }
        }
        await this.#adopt(uuid, await shared.get(uuid));
        return;
      }
      const next: MappingRecord = {
        ...record,
        state: 'Disabled',
        enabled: false,
        stateTransitionReason: reason,
      };
      await this.#noteSourceMissing(uuid);
      await this.#store.put(next);
      this.#ctx.events.emit('mapping.state', { uuid, state: 'Disabled', reason });
    });
  }

  /** The mapping's last processing result says its source is gone. */
  async #noteSourceMissing(uuid: string): Promise<void> {
    this.#results.set(uuid, LAST_RESULT.sourceMissing);
    await this.#store.commit([
      ...this.#store.commitOps(
        uuid,
        undefined,
        undefined,
        { lastProcessingResult: LAST_RESULT.sourceMissing },
        [],
      ),
    ]);
  }

  async #view(record: MappingRecord): Promise<EventSourceMapping> {
    const running = this.#runners.get(record.uuid);
    const checkpoints: ReadonlyMap<string, CheckpointRecord> =
      running?.checkpoints ?? (await this.#store.checkpoints(record.uuid));
    return {
      uuid: record.uuid,
      functionArn: record.functionArn,
      eventSourceArn: record.eventSourceArn,
      startingPosition: record.startingPosition,
      startingPositionTimestamp: record.startingPositionTimestamp,
      batchSize: record.batchSize,
      maximumBatchingWindowMs: record.maximumBatchingWindowMs,
      maximumRetryAttempts: record.maximumRetryAttempts,
      maximumRecordAgeSec: record.maximumRecordAgeSec,
      bisectBatchOnFunctionError: record.bisectBatchOnFunctionError,
      parallelizationFactor: record.parallelizationFactor,
      reportBatchItemFailures: record.reportBatchItemFailures,
      functionResponseTypes: record.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      onFailure: record.onFailure,
      role: record.role,
      state: record.state,
      stateTransitionReason: record.stateTransitionReason,
      lastProcessingResult: await this.#lastResult(record.uuid),
      lastModified: record.lastModifiedMs / 1000,
      shards: [...checkpoints].map(([shardId, cp]) => ({
        shardId,
        sequenceNumber: cp.sequenceNumber,
        iteratorAgeMs: cp.iteratorAgeMs,
        drained: cp.drained,
      })),
    };
  }
}

function notFound(uuid: string): never {
  throw new LambdaliteError(
    'ResourceNotFoundException',
    `The resource you requested does not exist. (mapping ${uuid})`,
    {
      statusCode: 404,
    },
  );
}
