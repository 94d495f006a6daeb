/**
 * The configuration every engine process on the cluster shares: functions (configuration in
 * `<prefix>_functions`, resource policies in `<prefix>_function_policies`, zip code in the
 * object store `<prefix>_code`), roles (`<prefix>_roles`) and mapping settings
 * (`<prefix>_mappings`, `<prefix>_mapping_pairs`). Each bucket is watched from the
 * moment the backend opens, before the engine reads anything from it.
 */

import { jetstream as jetstreamClient, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BackendParts } from '../../backend.js';
import type { FunctionConfiguration, PolicyStatement } from '../../functions/types.js';
import type { RoleRecord } from '../../iam/roles/types.js';
import type { SharedMapping } from '../../mappings/shared-records.js';
import { CodeObjects } from './code-objects.js';
import { contended } from './contended.js';
import { JetStreamFunctionStore } from './function-store.js';
import { KvRecords } from './kv-records.js';
import { JetStreamMappingRecords } from './mapping-records.js';
import { JetStreamRoleRecords } from './role-records.js';

export interface SharedConfiguration {
  readonly parts: Pick<BackendParts, 'functionStore' | 'roleRecords' | 'sharedMappings'>;
  close(): Promise<void>;
}

export async function openSharedConfiguration(
  nc: NatsConnection,
  options: { prefix: string; replicas: number },
): Promise<SharedConfiguration> {
  const { prefix, replicas } = options;
  const [configs, policies, roles, mappings, pairs, code] = await Promise.all([
    KvRecords.open<FunctionConfiguration>(nc, `${prefix}_functions`, { replicas }),
    KvRecords.open<PolicyStatement[]>(nc, `${prefix}_function_policies`, { replicas }),
    KvRecords.open<RoleRecord>(nc, `${prefix}_roles`, { replicas }),
    KvRecords.open<SharedMapping>(nc, `${prefix}_mappings`, { replicas }),
    KvRecords.open<SharedMapping>(nc, `${prefix}_mapping_pairs`, { replicas }),
    contended(() => new Objm(nc).create(`${prefix}_code`, { replicas })),
  ]);
  const jsm = await contended(() => jetstreamManager(nc));
  const functionStore = new JetStreamFunctionStore(
    configs,
    policies,
    new CodeObjects(code, jetstreamClient(nc), jsm, `${prefix}_code`),
  );
  // Code no configuration names (a crash between a change and its collection): in the
  // background, so the engine opens without waiting for it; close waits for it.
  const sweeping = functionStore.sweepCode().catch(() => 0);
  return {
    parts: {
      functionStore,
      roleRecords: new JetStreamRoleRecords(roles),
      sharedMappings: new JetStreamMappingRecords(mappings, pairs),
    },
    close: async () => {
      await sweeping;
      await Promise.all([configs, policies, roles, mappings, pairs].map((table) => table.close()));
    },
  };
}
