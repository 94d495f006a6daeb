/**
 * The persisted registry. LevelDB layout:
 *   functions        name -> FunctionConfiguration (json)
 *   function-code    name -> zip bytes (buffer), only for zip code
 *   function-policy  name -> PolicyStatement[] (json)
 * A create, update or delete is one atomic batch over the three. Reads go through an in-memory
 * cache filled on first use, so the invoke path costs no LevelDB read once warm.
 */
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import { delOp, putOp, type Sub } from '../storage/storage.js';
import type { FunctionConfiguration, FunctionPolicy, PolicyStatement } from './types.js';

export class FunctionRegistry {
  /** Resource policy documents by stored statement list (see policyDocument). */
  readonly #documents = new WeakMap<PolicyStatement[], FunctionPolicy>();
  readonly #configs: Sub<FunctionConfiguration>;
  readonly #code: Sub<Buffer>;
  readonly #policies: Sub<PolicyStatement[]>;
  readonly #cache = new Map<string, FunctionConfiguration | null>();
  /** Resource policies read so far (IAM checks read them at every delivery). */
  readonly #policyCache = new Map<string, PolicyStatement[]>();

  constructor(private readonly ctx: EngineContext) {
    this.#configs = ctx.storage.sublevel<FunctionConfiguration>('functions', 'json');
    this.#code = ctx.storage.sublevel<Buffer>('function-code', 'buffer');
    this.#policies = ctx.storage.sublevel<PolicyStatement[]>('function-policy', 'json');
  }

  async get(name: string): Promise<FunctionConfiguration | undefined> {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const config = (await this.#configs.get(name)) ?? null;
    if (!this.#cache.has(name)) this.#cache.set(name, config);
    return this.#cache.get(name) ?? undefined;
  }

  /** The cached configuration, without reading storage (undefined when not loaded or absent). */
  peek(name: string): FunctionConfiguration | undefined {
    return this.#cache.get(name) ?? undefined;
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
    return this.#configs.values().all();
  }

  /** Writes the configuration and, for zip code, its bytes (dropping stale bytes otherwise). */
  async put(config: FunctionConfiguration, zip: Buffer | undefined, isNew: boolean): Promise<void> {
    const ops = [putOp(this.#configs, config.functionName, config)];
    if (zip) ops.push(putOp(this.#code, config.functionName, zip));
    else if (config.codeSource !== 'zip') ops.push(delOp(this.#code, config.functionName));
    if (isNew) ops.push(delOp(this.#policies, config.functionName));
    await this.ctx.storage.batch(ops);
    this.#cache.set(config.functionName, config);
    if (isNew) this.#policyCache.delete(config.functionName);
  }

  async delete(name: string): Promise<void> {
    await this.ctx.storage.batch([
      delOp(this.#configs, name),
      delOp(this.#code, name),
      delOp(this.#policies, name),
    ]);
    this.#cache.set(name, null);
    this.#policyCache.delete(name);
  }

  async zip(name: string): Promise<Buffer> {
    const bytes = await this.#code.get(name);
    if (!bytes) return fail('ServiceException', `the code of function '${name}' is missing from storage`);
    return bytes;
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
    const statements = (await this.#policies.get(name)) ?? [];
    if (!this.#policyCache.has(name)) this.#policyCache.set(name, statements);
    return statements;
  }

  async putPolicy(name: string, statements: PolicyStatement[]): Promise<void> {
    await this.ctx.storage.batch([
      statements.length === 0 ? delOp(this.#policies, name) : putOp(this.#policies, name, statements),
    ]);
    this.#policyCache.set(name, statements);
  }
}

/** AWS's LastModified format: `2026-01-01T00:00:00.000+0000`. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
