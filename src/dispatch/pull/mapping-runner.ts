/**
 * Runs one enabled mapping: finds its shard source, starts a poller per shard (children wait for
 * their parents), picks up new shards when the source's changes$ fires, and notices when the
 * source disappears. Holds the in-memory view of the mapping's checkpoints.
 */
import { setMaxListeners } from 'node:events';
import { Subject, type Subscription } from 'rxjs';
import type { Clock } from '../../clock.js';
import type { EventHub } from '../../events.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import type { MappingStore } from '../../mappings/store.js';
import type { CheckpointRecord, MappingRecord, StoredFailure } from '../../mappings/types.js';
import type { BackoffPolicy } from '../retry.js';
import type { MappingClaim, MappingCoordination } from './coordination.js';
import type { FailureDestinations, FunctionDirectory, MappingAuthorizer, ShardSources } from './deps.js';
import type { PollerContext } from './poller-context.js';
import { type PollerHost, ShardPoller } from './shard-poller.js';
import type { ShardSource } from './shard-source.js';

export interface RunnerDeps {
  sources: ShardSources;
  functions: FunctionDirectory;
  invoker: FunctionInvoker;
  destinations: FailureDestinations | undefined;
  authorizer?: MappingAuthorizer | undefined;
  store: MappingStore;
  events: EventHub;
  clock: Clock;
  region: string;
  backoff: BackoffPolicy;
  maxPayloadBytes: number;
  /** Current lastProcessingResult of the mapping, and a setter that persists changes. */
  status: { get(): string; set(text: string): Promise<void>; remember(text: string): void };
  /** Called once when the source no longer exists; the service disables the mapping. */
  onSourceMissing(): void;
  /** Processes sharing a cluster split the shards through it; absent, this runner polls them all. */
  coordination?: MappingCoordination | undefined;
}

export class MappingRunner implements PollerHost {
  readonly #deps: RunnerDeps;
  readonly #record: MappingRecord;
  // Every shard's poller waits on this one signal, so its listeners grow with the shard count
  // (64 shards gave Node's leak warning at 11): one per shard is expected, not a leak.
  readonly #abort = withUnboundedListeners(new AbortController());
  readonly #checkpoints: Map<string, CheckpointRecord>;
  readonly #pollers = new Map<string, Promise<void>>();
  readonly #progress$ = new Subject<void>();
  #listed = new Set<string>();
  #source: ShardSource | undefined;
  #sub: Subscription | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  /** With coordination: the claim, the shards it holds, and a stop switch per running shard. */
  #claim: MappingClaim | undefined;
  readonly #held = new Set<string>();
  readonly #shardAborts = new Map<string, AbortController>();

  constructor(deps: RunnerDeps, record: MappingRecord, checkpoints: Map<string, CheckpointRecord>) {
    this.#deps = deps;
    this.#record = record;
    this.#checkpoints = checkpoints;
  }

  get checkpoints(): ReadonlyMap<string, CheckpointRecord> {
    return this.#checkpoints;
  }

  async start(): Promise<void> {
    const source = await this.#deps.sources.get(this.#record.eventSourceArn);
    if (!source) {
      this.#deps.onSourceMissing();
      return;
    }
    this.#source = source;
    this.#claim = this.#deps.coordination?.join(this.#record, {
      acquired: (shardId, checkpoint) => {
        this.#held.add(shardId);
        if (checkpoint) this.#checkpoints.set(shardId, checkpoint);
        this.#requestRefresh();
      },
      lost: (shardId) => {
        this.#held.delete(shardId);
        this.#shardAborts.get(shardId)?.abort(new Error('shard taken by another process'));
        return this.#pollers.get(shardId);
      },
    });
    this.#sub = source.changes$().subscribe(() => this.#requestRefresh());
    this.#requestRefresh();
    await this.#refreshing;
  }

  /** Stops every poller; waits at most `boundMs` (real time) for batches in flight. */
  async stop(boundMs: number): Promise<void> {
    this.#abort.abort(new Error('mapping stopped'));
    this.#sub?.unsubscribe();
    this.#progress$.complete();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([Promise.all([...this.#pollers.values(), this.#refreshing]), bound]);
    clearTimeout(timer);
    await this.#claim?.close().catch(() => undefined);
  }

  #requestRefresh(): void {
    if (this.#abort.signal.aborted) return;
    if (this.#refreshing) {
      this.#again = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          await this.#refresh();
        } catch (err) {
          this.#deps.events.emit('mapping.error', {
            uuid: this.#record.uuid,
            shardId: undefined,
            message: err instanceof Error ? err.message : String(err),
          });
        }
      } while (this.#again && !this.#abort.signal.aborted);
      this.#refreshing = undefined;
    })();
  }

  async #refresh(): Promise<void> {
    const source = this.#source;
    if (!source || this.#abort.signal.aborted) return;
    if (!(await source.exists())) {
      this.#deps.onSourceMissing();
      return;
    }
    const shards = await source.listShards();
    this.#listed = new Set(shards.map((s) => s.shardId));
    const claim = this.#claim;
    if (claim) {
      claim.offer(shards.filter((s) => !this.#checkpoints.get(s.shardId)?.drained).map((s) => s.shardId));
    }
    for (const shard of shards) {
      if (this.#pollers.has(shard.shardId) || this.#checkpoints.get(shard.shardId)?.drained) continue;
      if (claim && !this.#held.has(shard.shardId)) continue;
      this.#startPoller(source, shard.shardId, shard.parentShardIds);
    }
    // Parents that expired from the listing no longer hold their children back.
    this.#progress$.next();
  }

  #startPoller(source: ShardSource, shardId: string, parents: readonly string[]): void {
    const record = this.#record;
    const holder: { poller?: ShardPoller } = {};
    const ctx: PollerContext = {
      uuid: record.uuid,
      shardId,
      functionName: record.functionName,
      functionArn: record.functionArn,
      invokedFunctionArn: record.functionArn,
      eventSourceArn: record.eventSourceArn,
      region: this.#deps.region,
      settings: record,
      source,
      functions: this.#deps.functions,
      invoker: this.#deps.invoker,
      destinations: this.#deps.destinations,
      authorizer: this.#deps.authorizer,
      events: this.#deps.events,
      clock: this.#deps.clock,
      backoff: this.#deps.backoff,
      maxPayloadBytes: this.#deps.maxPayloadBytes,
      signal: this.#claim ? this.#shardSignal(shardId) : this.#abort.signal,
      setResult: (text) => this.#deps.status.set(text),
      noteIteratorAge: (ms) => {
        if (holder.poller) holder.poller.iteratorAgeMs = ms;
        const cp = this.#checkpoints.get(shardId);
        if (cp) cp.iteratorAgeMs = ms;
      },
    };
    // A shard without a checkpoint appeared after the mapping was created: read it from the start.
    const poller = new ShardPoller(ctx, this, parents, this.#checkpoints.get(shardId));
    holder.poller = poller;
    const run = poller.run();
    this.#pollers.set(shardId, run);
    if (this.#claim) {
      // A shard lost and taken back later gets a new poller from the shared checkpoint.
      void run.then(() => {
        if (this.#pollers.get(shardId) !== run) return;
        this.#pollers.delete(shardId);
        this.#shardAborts.delete(shardId);
        if (this.#held.has(shardId)) this.#requestRefresh();
      });
    }
  }

  #shardSignal(shardId: string): AbortSignal {
    const controller = new AbortController();
    this.#shardAborts.set(shardId, controller);
    return AbortSignal.any([this.#abort.signal, controller.signal]);
  }

  parentsDone(parentShardIds: readonly string[]): boolean {
    return parentShardIds.every((id) => !this.#listed.has(id) || this.#checkpoints.get(id)?.drained === true);
  }

  nextProgress(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let sub: Subscription | undefined;
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        sub?.unsubscribe();
        fn();
      };
      sub = this.#progress$.subscribe({
        next: () => settle(resolve),
        complete: () => settle(() => reject(signal.reason)),
      });
      if (settled) sub.unsubscribe();
    });
  }

  async commit(
    shardId: string,
    checkpoint: CheckpointRecord,
    failures: readonly StoredFailure[],
    lastResult: string,
  ): Promise<void> {
    const { store, status } = this.#deps;
    // The shared checkpoint first: a process that lost the shard must not move it (this rejects).
    if (this.#claim) await this.#claim.commit(shardId, checkpoint);
    const changed = lastResult !== '' && lastResult !== status.get();
    const ops = store.commitOps(
      this.#record.uuid,
      shardId,
      checkpoint,
      changed ? { lastProcessingResult: lastResult } : undefined,
      failures,
    );
    await store.commit(ops);
    if (changed) status.remember(lastResult);
    this.#checkpoints.set(shardId, checkpoint);
    if (checkpoint.drained) this.#progress$.next();
  }
}

function withUnboundedListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
