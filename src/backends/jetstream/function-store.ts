/**
 * Functions shared by every engine process on the cluster (the FunctionStore seam of
 * src/functions/function-store.ts). Configurations in the KV bucket `<prefix>_functions` and
 * resource policies in `<prefix>_function_policies`, both keyed by function name (Lambda's
 * names are valid KV keys) and written compare-and-set (kv-records.ts); zip code in the object
 * store `<prefix>_code`, named by its sha256, pinned before and after the configuration that
 * names it is written, so a process that sees a configuration can fetch its code; an object no
 * configuration names any more is collected after the update or delete that dropped it, and by
 * a sweep when the backend opens (code-objects.ts says why a concurrent create is safe).
 *
 * Two processes creating one name: the first `create` wins, the other is answered
 * ResourceConflictException, as Lambda answers a second CreateFunction. An update, delete or
 * policy change computed from a configuration or policy another process replaced since is
 * refused the same way (Lambda's "an update is in progress"); the registry then reads afresh.
 */
import type { Observable } from 'rxjs';
import { map, merge } from 'rxjs';
import { LambdaliteError } from '../../errors.js';
import type { FunctionStore, FunctionStoreChange } from '../../functions/function-store.js';
import type { FunctionConfiguration, PolicyStatement } from '../../functions/types.js';
import type { CodeObjects } from './code-objects.js';
import { type KvRecords, RecordConflict } from './kv-records.js';

export class JetStreamFunctionStore implements FunctionStore {
  readonly #configs: KvRecords<FunctionConfiguration>;
  readonly #policies: KvRecords<PolicyStatement[]>;
  readonly #code: CodeObjects;
  readonly changes$: Observable<FunctionStoreChange>;

  constructor(
    configs: KvRecords<FunctionConfiguration>,
    policies: KvRecords<PolicyStatement[]>,
    code: CodeObjects,
  ) {
    this.#configs = configs;
    this.#policies = policies;
    this.#code = code;
    this.changes$ = merge(
      configs.changes$.pipe(
        map((c): FunctionStoreChange => ({ kind: 'configuration', name: c.key, config: c.record })),
      ),
      policies.changes$.pipe(
        map((c): FunctionStoreChange => ({ kind: 'policy', name: c.key, statements: c.record ?? [] })),
      ),
    );
  }

  async get(name: string): Promise<FunctionConfiguration | undefined> {
    return (await this.#configs.read(name)).record;
  }

  async list(): Promise<FunctionConfiguration[]> {
    return (await this.#configs.list()).map(([, config]) => config);
  }

  async put(
    config: FunctionConfiguration,
    zip: Buffer | undefined,
    previous: FunctionConfiguration | undefined,
  ): Promise<void> {
    const name = config.functionName;
    const bytes = zip ? new Uint8Array(zip.buffer, zip.byteOffset, zip.length) : undefined;
    if (bytes) await this.#code.pin(config.codeSha256, bytes);
    await conflictAsLambda(name, () => this.#configs.replace(name, config, previous), previous === undefined);
    // Again after the configuration: a collection that missed it may have deleted the object.
    if (bytes) await this.#code.pin(config.codeSha256, bytes);
    if (previous !== undefined && codeOf(previous) !== codeOf(config)) await this.#collect(codeOf(previous));
    if (previous === undefined) {
      // A policy left by a deleted function of the same name does not carry over.
      const { record } = await this.#policies.read(name);
      await this.#policies.replace(name, undefined, record).catch(() => undefined);
    }
  }

  async delete(name: string, previous: FunctionConfiguration): Promise<void> {
    await conflictAsLambda(name, () => this.#configs.replace(name, undefined, previous), false);
    // A crash here leaves the policy behind: the next create of the name removes it (put above).
    const { record } = await this.#policies.read(name);
    await this.#policies.replace(name, undefined, record).catch(() => undefined);
    await this.#collect(codeOf(previous));
  }

  /**
   * Collects every code object no configuration names (what a crash between a configuration
   * change and its collection left, or a create that lost its race after storing its code).
   */
  sweepCode(): Promise<number> {
    return this.#code.sweep(async () => {
      const names = new Set<string>();
      for (const [, config] of await this.#configs.list()) {
        const sha = codeOf(config);
        if (sha !== undefined) names.add(sha);
      }
      return names;
    });
  }

  /**
   * Deletes the code object when no configuration names it any more. Best effort: the change
   * that dropped the reference is done, and what is left is found by the next sweep.
   */
  async #collect(sha: string | undefined): Promise<void> {
    if (sha === undefined) return;
    await this.#code
      .collect(sha, async () => (await this.#configs.list()).some(([, config]) => codeOf(config) === sha))
      .catch(() => false);
  }

  async zip(config: FunctionConfiguration): Promise<Buffer | undefined> {
    const bytes = await this.#code.get(config.codeSha256);
    return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
  }

  async policy(name: string): Promise<PolicyStatement[]> {
    return (await this.#policies.read(name)).record ?? [];
  }

  async putPolicy(name: string, statements: PolicyStatement[], previous: PolicyStatement[]): Promise<void> {
    await conflictAsLambda(
      name,
      () =>
        this.#policies.replace(
          name,
          statements.length === 0 ? undefined : statements,
          previous.length === 0 ? undefined : previous,
        ),
      false,
    );
  }
}

/** The code object a configuration names (zip code only: other code is a path on each machine). */
function codeOf(config: FunctionConfiguration): string | undefined {
  return config.codeSource === 'zip' ? config.codeSha256 : undefined;
}

async function conflictAsLambda(name: string, write: () => Promise<void>, isNew: boolean): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof RecordConflict)) throw err;
    throw conflict(name, isNew, err);
  }
}

function conflict(name: string, isNew: boolean, cause: unknown): LambdaliteError {
  return new LambdaliteError(
    'ResourceConflictException',
    isNew
      ? `Function already exist: ${name}`
      : `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
    cause === undefined ? {} : { cause },
  );
}
