/**
 * The function registry: configurations, code and resource policies over a
 * {@link FunctionStore} (LevelDB embedded, KV and object store on the JetStream backend). Reads
 * go through an in-memory cache filled on first use, so the invoke path costs no storage read
 * once warm. A shared store reports changes made by other engine processes: the cache takes
 * them, and a function whose configuration changed or went is announced on
 * `changedElsewhere$` so its running containers are retired as on a local update.
 */
import { type Observable, Subject } from 'rxjs';
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import { type FunctionStore, type FunctionStoreChange, missingCode } from './function-store.js';
import type { FunctionConfiguration, FunctionPolicy, PolicyStatement } from './types.js';

/** A function changed or deleted on another engine process. */
export interface FunctionChangedElsewhere {
  readonly functionName: string;
  readonly reason: 'updated' | 'deleted';
}

export class FunctionRegistry {
  /** Resource policy documents by stored statement list (see policyDocument). */
  readonly #documents = new WeakMap<PolicyStatement[], FunctionPolicy>();
  readonly #store: FunctionStore;
  readonly #cache = new Map<string, FunctionConfiguration | null>();
  /** Resource policies read so far (IAM checks read them at every delivery). */
  readonly #policyCache = new Map<string, PolicyStatement[]>();
  readonly #changedElsewhere = new Subject<FunctionChangedElsewhere>();
  readonly changedElsewhere$: Observable<FunctionChangedElsewhere> = this.#changedElsewhere.asObservable();

  constructor(
    private readonly ctx: EngineContext,
    store: FunctionStore,
  ) {
    this.#store = store;
    store.changes$?.subscribe((change) => this.#changed(change));
  }

  #changed(change: FunctionStoreChange): void {
    if (change.kind === 'policy') {
      this.#policyCache.set(change.name, change.statements);
      return;
    }
    const before = this.#cache.get(change.name);
    this.#cache.set(change.name, change.config ?? null);
    // Only a function this process has loaded can have containers here.
    if (before && before.revisionId !== change.config?.revisionId) {
      this.#changedElsewhere.next({
        functionName: change.name,
        reason: change.config ? 'updated' : 'deleted',
      });
    }
  }

  async get(name: string): Promise<FunctionConfiguration | undefined> {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const config = (await this.#store.get(name)) ?? null;
    if (!this.#cache.has(name)) this.#cache.set(name, config);
    return this.#cache.get(name) ?? undefined;
  }

  /** The cached configuration, without reading storage (undefined when not loaded or absent). */
  peek(name: string): FunctionConfiguration | undefined {
    return this.#cache.get(name) ?? undefined;
  }

  /** Whether the configuration (or its absence) is loaded here, so `peek` answers for it. */
  known(name: string): boolean {
    return this.#cache.has(name);
  }

  /** The configuration, or ResourceNotFoundException (404, as Lambda answers). */
  async require(name: string): Promise<FunctionConfiguration> {
    return (await this.get(name)) ?? this.notFound(name);
  }

  notFound(name: string): never {
    return fail('ResourceNotFoundException', `Function not found: ${this.ctx.arns.function(name)}`, {
      statusCode: 404,
    });
  }

  async list(): Promise<FunctionConfiguration[]> {
    return this.#store.list();
  }

  /**
   * Writes the configuration and, for zip code, its bytes (dropping stale bytes otherwise).
   * `previous`: the configuration it was computed from (undefined: a create).
   */
  async put(
    config: FunctionConfiguration,
    zip: Buffer | undefined,
    previous: FunctionConfiguration | undefined,
  ): Promise<void> {
    const isNew = previous === undefined;
    try {
      await this.#store.put(config, zip, previous);
    } catch (err) {
      // A shared store refused (another process wrote first): read it afresh next time.
      this.#cache.delete(config.functionName);
      throw err;
    }
    this.#cache.set(config.functionName, config);
    if (isNew) this.#policyCache.delete(config.functionName);
  }

  async delete(name: string, previous: FunctionConfiguration): Promise<void> {
    try {
      await this.#store.delete(name, previous);
    } catch (err) {
      this.#cache.delete(name);
      this.#policyCache.delete(name);
      throw err;
    }
    this.#cache.set(name, null);
    this.#policyCache.delete(name);
  }

  /** The zip bytes of the function's code (the configuration names which). */
  async zip(config: FunctionConfiguration): Promise<Buffer> {
    return (await this.#store.zip(config)) ?? missingCode(config.functionName);
  }

  /** The resource policy document for IAM checks; undefined when it has no statement. */
  async policyDocument(name: string): Promise<FunctionPolicy | undefined> {
    const statements = await this.policy(name);
    if (statements.length === 0) return undefined;
    // One document per stored statement list, so the policy parser's identity cache hits.
    let document = this.#documents.get(statements);
    if (!document) {
      document = { Version: '2012-10-17', Id: 'default', Statement: statements };
      this.#documents.set(statements, document);
    }
    return document;
  }

  async policy(name: string): Promise<PolicyStatement[]> {
    const cached = this.#policyCache.get(name);
    if (cached) return cached;
    const statements = await this.#store.policy(name);
    if (!this.#policyCache.has(name)) this.#policyCache.set(name, statements);
    return this.#policyCache.get(name) ?? statements;
  }

  /** `previous`: the statements the new ones were computed from. */
  async putPolicy(name: string, statements: PolicyStatement[], previous: PolicyStatement[]): Promise<void> {
    try {
      await this.#store.putPolicy(name, statements, previous);
    } catch (err) {
      this.#policyCache.delete(name);
      throw err;
    }
    this.#policyCache.set(name, statements);
  }
}

/** AWS's LastModified format: `2026-01-01T00:00:00.000+0000`. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
