/**
 * Roles over a {@link RoleRecords} store (LevelDB embedded, KV on the JetStream backend): key =
 * lower-cased role name (IAM names are unique regardless of case), value = one
 * {@link RoleRecord} holding the trust policy and every inline policy, so each operation is one
 * atomic write. Records are cached in memory with their parsed policies; the cache changes only
 * after the write. With a shared store, a change is computed from a fresh read and retried
 * when another engine process wrote the role first (so two racing createRole calls get one
 * role and one EntityAlreadyExists), and roles written elsewhere replace cache entries.
 */
import { randomBytes } from 'node:crypto';
import type { EngineContext } from '../../context.js';
import { LambdaliteError } from '../../errors.js';
import { KeyedMutex } from '../../storage/keyed-mutex.js';
import { parsePolicy } from '../parse.js';
import type { NamedPolicy, ParsedPolicy } from '../types.js';
import { type RoleRecordChange, RoleRecordConflict, type RoleRecords } from './role-records.js';
import type { RoleRecord } from './types.js';

/** A record with its policies parsed, ready for evaluation. */
export interface LoadedRole {
  readonly record: RoleRecord;
  /** The inline policies' JSON text by name: the record's object as a Map, for lookups by name. */
  readonly policies: ReadonlyMap<string, string>;
  readonly trust: ParsedPolicy;
  readonly identity: readonly NamedPolicy[];
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newRoleId(): string {
  const bytes = randomBytes(17);
  let id = 'AROA';
  for (const b of bytes) id += ID_ALPHABET[b % 32];
  return id;
}

function roleNameOf(arn: string): string | undefined {
  const slash = arn.lastIndexOf('/');
  return slash < 0 || !arn.includes(':role/') ? undefined : arn.slice(slash + 1);
}

function load(record: RoleRecord): LoadedRole {
  const policies = new Map(Object.entries(record.policies));
  return {
    record,
    policies,
    trust: parsePolicy(record.assumeRolePolicyDocument, 'trust'),
    identity: [...policies].map(([name, text]) => ({ name, policy: parsePolicy(text, 'identity') })),
  };
}

/**
 * The stored form of a policy map. `Object.fromEntries` defines own properties, so a policy
 * named `__proto__` is kept as data (JSON text and `Object.entries` see it) like any other name.
 */
export function policyRecord(policies: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  return Object.fromEntries(policies);
}

function applyChange(map: Map<string, LoadedRole>, { key, record }: RoleRecordChange): void {
  if (record) map.set(key, load(record));
  else map.delete(key);
}

/** Rounds of read-change-write when other processes keep winning (a shared store only). */
const MAX_ATTEMPTS = 5;

export class RoleStore {
  readonly #ctx: EngineContext;
  readonly #records: RoleRecords;
  readonly #mutex = new KeyedMutex();
  #cache: Promise<Map<string, LoadedRole>> | undefined;
  /** The same map once loaded, for synchronous lookups on the hot path. */
  #loaded: Map<string, LoadedRole> | undefined;
  /** Changes made elsewhere that arrived before the first load finished. */
  readonly #pending: RoleRecordChange[] = [];

  constructor(ctx: EngineContext, records: RoleRecords) {
    this.#ctx = ctx;
    this.#records = records;
    records.changes$?.subscribe((change) => {
      // While the first load runs, changes wait and are applied after it, in order.
      if (this.#loaded) applyChange(this.#loaded, change);
      else this.#pending.push(change);
    });
    // Let role writes in flight finish before storage closes (close hooks run in reverse).
    ctx.lifecycle.onClose(() => this.#mutex.idle());
  }

  #all(): Promise<Map<string, LoadedRole>> {
    this.#cache ??= (async () => {
      const map = new Map<string, LoadedRole>();
      for (const [key, record] of await this.#records.all()) map.set(key, load(record));
      for (const change of this.#pending.splice(0)) applyChange(map, change);
      this.#loaded = map;
      return map;
    })();
    return this.#cache;
  }

  newRoleId(): string {
    return newRoleId();
  }

  async get(roleName: string): Promise<LoadedRole | undefined> {
    return (await this.#all()).get(roleName.toLowerCase());
  }

  /** The role whose ARN is exactly `arn` (path included), if any. */
  async byArn(arn: string): Promise<LoadedRole | undefined> {
    const name = roleNameOf(arn);
    if (name === undefined) return undefined;
    const role = this.#loaded ? this.#loaded.get(name.toLowerCase()) : await this.get(name);
    return role?.record.arn === arn ? role : undefined;
  }

  async list(): Promise<LoadedRole[]> {
    return [...(await this.#all()).values()];
  }

  async require(roleName: string): Promise<LoadedRole> {
    const role = await this.get(roleName);
    if (!role) throw new LambdaliteError('NoSuchEntity', `The role with name ${roleName} cannot be found.`);
    return role;
  }

  /**
   * Runs a read-modify-write on one role under its lock. `change` returns the new record (or null
   * to delete it); it is parsed before anything is written, so a bad document writes nothing.
   */
  async update(
    roleName: string,
    change: (current: LoadedRole | undefined) => Promise<RoleRecord | null> | RoleRecord | null,
  ): Promise<LoadedRole | undefined> {
    const key = roleName.toLowerCase();
    return this.#mutex.run(key, async () => {
      this.#ctx.lifecycle.assertOpen();
      const cache = await this.#all();
      for (let attempt = 1; ; attempt++) {
        if (this.#records.fresh) {
          const stored = await this.#records.fresh(key);
          if (stored) cache.set(key, load(stored));
          else cache.delete(key);
        }
        const current = cache.get(key);
        const next = await change(current);
        try {
          if (next === null) {
            await this.#records.write(key, null, current?.record);
            cache.delete(key);
            return undefined;
          }
          const loaded = load(next);
          await this.#records.write(key, next, current?.record);
          cache.set(key, loaded);
          return loaded;
        } catch (err) {
          // Another process wrote the role since the fresh read: decide again on what it wrote.
          if (!(err instanceof RoleRecordConflict)) throw err;
          if (attempt >= MAX_ATTEMPTS) {
            throw new LambdaliteError(
              'ServiceException',
              `role ${roleName} kept changing on other engine processes (${attempt} attempts); try again`,
              { cause: err },
            );
          }
        }
      }
    });
  }
}
