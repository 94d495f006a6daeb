/**
 * Functions shared by every engine process on the cluster (the FunctionStore seam of
 * src/functions/function-store.ts). Configurations in the KV bucket `<prefix>_functions` and
 * resource policies in `<prefix>_function_policies`, both keyed by function name (Lambda's
 * names are valid KV keys) and written compare-and-set (kv-records.ts); zip code in the object
 * store `<prefix>_code`, named by its sha256, put before the configuration that names it, so a
 * process that sees a configuration can always fetch its code.
 *
 * Two processes creating one name: the first `create` wins, the other is answered
 * ResourceConflictException, as Lambda answers a second CreateFunction. An update, delete or
 * policy change computed from a configuration or policy another process replaced since is
 * refused the same way (Lambda's "an update is in progress"); the registry then reads afresh.
 */
import type { ObjectStore } from '@nats-io/obj';
import type { Observable } from 'rxjs';
import { map, merge } from 'rxjs';
import { LambdaliteError } from '../../errors.js';
import type { FunctionStore, FunctionStoreChange } from '../../functions/function-store.js';
import type { FunctionConfiguration, PolicyStatement } from '../../functions/types.js';
import { type KvRecords, RecordConflict } from './kv-records.js';

export class JetStreamFunctionStore implements FunctionStore {
  readonly #configs: KvRecords<FunctionConfiguration>;
  readonly #policies: KvRecords<PolicyStatement[]>;
  readonly #code: ObjectStore;
  readonly changes$: Observable<FunctionStoreChange>;

  constructor(
    configs: KvRecords<FunctionConfiguration>,
    policies: KvRecords<PolicyStatement[]>,
    code: ObjectStore,
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
    if (zip && !(await this.#code.info(config.codeSha256))) {
      await this.#code.putBlob(
        { name: config.codeSha256 },
        new Uint8Array(zip.buffer, zip.byteOffset, zip.length),
      );
    }
    await conflictAsLambda(name, () => this.#configs.replace(name, config, previous), previous === undefined);
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
  }

  async zip(config: FunctionConfiguration): Promise<Buffer | undefined> {
    const bytes = await this.#code.getBlob(config.codeSha256);
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
