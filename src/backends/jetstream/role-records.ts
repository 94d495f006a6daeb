/**
 * Roles shared by every engine process on the cluster (the RoleRecords seam of
 * src/iam/roles/role-records.ts): one entry per role in the KV bucket `<prefix>_roles`, key =
 * the lower-cased role name, written compare-and-set against the record the change was computed
 * from (kv-records.ts). A policy put on one process is enforced by every
 * other as soon as their watch delivers it.
 */
import { map, type Observable } from 'rxjs';
import type { RoleRecordChange, RoleRecords } from '../../iam/roles/role-records.js';
import { RoleRecordConflict } from '../../iam/roles/role-records.js';
import type { RoleRecord } from '../../iam/roles/types.js';
import { type KvRecords, RecordConflict } from './kv-records.js';

/**
 * IAM role names are `[\w+=,.@-]+`; KV keys allow `[-/_=.a-zA-Z0-9]` with `.` between tokens: the rest, `.` and `_` itself
 * (the escape), become `_` and two hex digits.
 */
function keyOf(name: string): string {
  return name.replace(/[^-=a-zA-Z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function nameOf(key: string): string {
  return key.replace(/_([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export class JetStreamRoleRecords implements RoleRecords {
  readonly #kv: KvRecords<RoleRecord>;
  readonly changes$: Observable<RoleRecordChange>;

  constructor(kv: KvRecords<RoleRecord>) {
    this.#kv = kv;
    this.changes$ = kv.changes$.pipe(map(({ key, record }) => ({ key: nameOf(key), record })));
  }

  async all(): Promise<Map<string, RoleRecord>> {
    return new Map((await this.#kv.list()).map(([key, record]) => [nameOf(key), record]));
  }

  async fresh(key: string): Promise<RoleRecord | undefined> {
    return (await this.#kv.read(keyOf(key))).record;
  }

  async write(key: string, record: RoleRecord | null, previous: RoleRecord | undefined): Promise<void> {
    try {
      await this.#kv.replace(keyOf(key), record ?? undefined, previous);
    } catch (err) {
      if (err instanceof RecordConflict) throw new RoleRecordConflict(key, { cause: err });
      throw err;
    }
  }
}
