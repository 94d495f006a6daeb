/**
 * The server version check: replicated KV compare-and-set (leases, checkpoints, the shared
 * configuration) keeps two writers of one key apart only from nats-server 2.9.21
 * (nats-io/nats-server#4320), so an engine opened on an older server with replicas says so once
 * through Node's warning channel; the tests' Debian server is 2.9.10.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { compareAndSetWarning, olderThan } from '../../src/backends/jetstream/server-version.js';
import { createEngine } from '../../src/index.js';
import { type Cluster, startCluster } from './cluster.js';

describe('the server version and compare-and-set with replicas', () => {
  it('compares versions by number, not by text', () => {
    expect(olderThan('2.9.10', '2.9.21')).toBe(true);
    expect(olderThan('2.9.21', '2.9.21')).toBe(false);
    expect(olderThan('2.10.0', '2.9.21')).toBe(false);
    expect(olderThan('v2.9.3-beta', '2.9.21')).toBe(true);
    expect(olderThan('garbage', '2.9.21')).toBe(false);
  });

  it('warns for an older server only with replicas, naming the version and the way out', () => {
    expect(compareAndSetWarning('2.9.10', 3)).toMatch(/2\.9\.10.*3 replicas.*2\.9\.21.*replicas: 1/);
    expect(compareAndSetWarning('2.9.10', 1)).toBeUndefined();
    expect(compareAndSetWarning('2.9.21', 3)).toBeUndefined();
    expect(compareAndSetWarning('2.11.4', 5)).toBeUndefined();
  });
});

describe('an engine opened on a 2.9.10 cluster with 3 replicas', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  // Before the next test: the warning is said once per process, so a later open would be silent anyway.
  it('says nothing with warnings: false', async () => {
    const warnings: Error[] = [];
    const listen = (warning: Error): void => {
      if ((warning as Error & { code?: string }).code === 'LAMBDALITE_NATS_CAS') warnings.push(warning);
    };
    process.on('warning', listen);
    try {
      const engine = await createEngine({
        backend: jetstream({
          servers: cluster.servers,
          replicas: 3,
          prefix: `q${process.pid}`,
          warnings: false,
        }),
      });
      await engine.close();
      await new Promise((resolve) => process.nextTick(resolve));
      expect(warnings).toHaveLength(0);
    } finally {
      process.off('warning', listen);
    }
  }, 120_000);

  it('says once, through process warnings, that compare-and-set with replicas needs 2.9.21', async () => {
    const warnings: Error[] = [];
    const listen = (warning: Error): void => {
      if ((warning as Error & { code?: string }).code === 'LAMBDALITE_NATS_CAS') warnings.push(warning);
    };
    process.on('warning', listen);
    try {
      for (let i = 0; i < 2; i++) {
        const engine = await createEngine({
          backend: jetstream({ servers: cluster.servers, replicas: 3, prefix: `v${i}${process.pid}` }),
        });
        await engine.close();
      }
      // Warnings are emitted on the next tick: wait for the one the first open caused.
      await new Promise((resolve) => process.nextTick(resolve));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toContain('2.9.10');
    } finally {
      process.off('warning', listen);
    }
  }, 120_000);
});
