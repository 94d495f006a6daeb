/**
 * Where function configurations, code and resource policies are kept: the seam between the
 * registry (caches, lookups) and storage. The embedded store keeps them in the engine's LevelDB:
 *   functions        name -> FunctionConfiguration (json)
 *   function-code    name -> zip bytes (buffer), only for zip code
 *   function-policy  name -> PolicyStatement[] (json)
 * A create, update or delete is one atomic batch over the three. A shared store (the JetStream
 * backend) also reports the changes other engine processes make, through `changes$`.
 */
import type { Observable } from 'rxjs';
import { fail } from '../errors.js';
import { delOp, putOp, type Storage, type Sub } from '../storage/storage.js';
import type { FunctionConfiguration, PolicyStatement } from './types.js';

/** A function's configuration or resource policy changed (on another engine process). */
export type FunctionStoreChange =
  | {
      readonly kind: 'configuration';
      readonly name: string;
      readonly config: FunctionConfiguration | undefined;
    }
  | { readonly kind: 'policy'; readonly name: string; readonly statements: PolicyStatement[] };

export interface FunctionStore {
  get(name: string): Promise<FunctionConfiguration | undefined>;
  list(): Promise<FunctionConfiguration[]>;
  /**
   * Writes the configuration and, for zip code, its bytes. `previous` is the configuration the
   * new one was computed from; undefined: the function is being created (an old resource
   * policy of the name goes). A shared store refuses with ResourceConflictException when the
   * stored configuration is no longer `previous` (another process created or changed it).
   */
  put(
    config: FunctionConfiguration,
    zip: Buffer | undefined,
    previous: FunctionConfiguration | undefined,
  ): Promise<void>;
  /** Deletes the function `previous` describes (a shared store: unless it changed since). */
  delete(name: string, previous: FunctionConfiguration): Promise<void>;
  /** The zip bytes of `config`'s code. */
  zip(config: FunctionConfiguration): Promise<Buffer | undefined>;
  policy(name: string): Promise<PolicyStatement[]>;
  /** Replaces the statements; a shared store refuses when the stored ones are no longer `previous`. */
  putPolicy(name: string, statements: PolicyStatement[], previous: PolicyStatement[]): Promise<void>;
  /** Changes made elsewhere (absent: this engine is the only writer). */
  readonly changes$?: Observable<FunctionStoreChange>;
}

/** The embedded store: one LevelDB batch per change. */
export class LevelFunctionStore implements FunctionStore {
  readonly #storage: Storage;
  readonly #configs: Sub<FunctionConfiguration>;
  readonly #code: Sub<Buffer>;
  readonly #policies: Sub<PolicyStatement[]>;

  constructor(storage: Storage) {
    this.#storage = storage;
    this.#configs = storage.sublevel<FunctionConfiguration>('functions', 'json');
    this.#code = storage.sublevel<Buffer>('function-code', 'buffer');
    this.#policies = storage.sublevel<PolicyStatement[]>('function-policy', 'json');
  }

  async get(name: string): Promise<FunctionConfiguration | undefined> {
    return (await this.#configs.get(name)) ?? undefined;
  }

  list(): Promise<FunctionConfiguration[]> {
    return this.#configs.values().all();
  }

  async put(
    config: FunctionConfiguration,
    zip: Buffer | undefined,
    previous: FunctionConfiguration | undefined,
  ): Promise<void> {
    const isNew = previous === undefined;
    const ops = [putOp(this.#configs, config.functionName, config)];
    if (zip) ops.push(putOp(this.#code, config.functionName, zip));
    else if (config.codeSource !== 'zip') ops.push(delOp(this.#code, config.functionName));
    if (isNew) ops.push(delOp(this.#policies, config.functionName));
    await this.#storage.batch(ops);
  }

  async delete(name: string): Promise<void> {
    await this.#storage.batch([
      delOp(this.#configs, name),
      delOp(this.#code, name),
      delOp(this.#policies, name),
    ]);
  }

  async zip(config: FunctionConfiguration): Promise<Buffer | undefined> {
    return (await this.#code.get(config.functionName)) ?? undefined;
  }

  async policy(name: string): Promise<PolicyStatement[]> {
    return (await this.#policies.get(name)) ?? [];
  }

  async putPolicy(name: string, statements: PolicyStatement[]): Promise<void> {
    await this.#storage.batch([
      statements.length === 0 ? delOp(this.#policies, name) : putOp(this.#policies, name, statements),
    ]);
  }
}

/** The code of a zip function is missing from storage (never expected). */
export function missingCode(name: string): never {
  return fail('ServiceException', `the code of function '${name}' is missing from storage`);
}
