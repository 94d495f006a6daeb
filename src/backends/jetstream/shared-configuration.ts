/**
 * The configuration every engine process on the cluster shares: functions (configuration in
 * `<prefix>_functions`, resource policies in `<prefix>_function_policies`, zip code in the
 * object store `<prefix>_code`) and roles (`<prefix>_roles`). Each bucket is watched from the
 * moment the backend opens, before the engine reads anything from it.
 */
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BackendParts } from '../../backend.js';
import type { FunctionConfiguration, PolicyStatement } from '../../functions/types.js';
import type { RoleRecord } from '../../iam/roles/types.js';
import { JetStreamFunctionStore } from './function-store.js';
import { KvRecords } from './kv-records.js';
import { JetStreamRoleRecords } from './role-records.js';

export interface SharedConfiguration {
  readonly parts: Pick<BackendParts, 'functionStore' | 'roleRecords'>;
  close(): Promise<void>;
}

export async function openSharedConfiguration(
  nc: NatsConnection,
  options: { prefix: string; replicas: number },
): Promise<SharedConfiguration> {
  const { prefix, replicas } = options;
  const [configs, policies, roles, code] = await Promise.all([
    KvRecords.open<FunctionConfiguration>(nc, `${prefix}_functions`, { replicas }),
    KvRecords.open<PolicyStatement[]>(nc, `${prefix}_function_policies`, { replicas }),
    KvRecords.open<RoleRecord>(nc, `${prefix}_roles`, { replicas }),
    new Objm(nc).create(`${prefix}_code`, { replicas }),
  ]);
  return {
    parts: {
      functionStore: new JetStreamFunctionStore(configs, policies, code),
      roleRecords: new JetStreamRoleRecords(roles),
    },
    close: async () => {
      await Promise.all([configs.close(), policies.close(), roles.close()]);
    },
  };
}
