import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../src/index.js';
import { onCleanup, tempDir } from '../helpers/engines.js';
import { readShard, text } from './helpers.js';

const START = Date.UTC(2026, 0, 1);
const SHARDS = ['shardId-000000000000', 'shardId-000000000001'];

describe('stream persistence', () => {
  it('keeps records, shards and counters across close and reopen, even with a clock set back', async () => {
    const location = await tempDir();
    const first = await createEngine({ location, clock: new ManualClock(START) });
    await first.streams.create('kept', { shardCount: 2, retentionHours: 48 });
    const before = await first.streams.putRecords(
      'kept',
      ['a', 'b', 'a', 'b'].map((k, i) => ({ partitionKey: k, data: `old${i}` })),
    );
    await first.streams.splitShard('kept', 'shardId-000000000000', (1n << 126n).toString());
    await first.close();

    const second = await createEngine({ location, clock: new ManualClock(START - 3_600_000) });
    onCleanup(() => second.close());
    const description = await second.streams.describe('kept');
    expect(description.retentionPeriodHours).toBe(48);
    expect(description.shards.map((s) => s.shardId)).toEqual([
      ...SHARDS,
      'shardId-000000000002',
      'shardId-000000000003',
    ]);
    expect(text((await readShard(second, 'kept', 'shardId-000000000001')).records)).toEqual(['old1', 'old3']);
    const after = await second.streams.putRecord('kept', { partitionKey: 'b', data: 'new' });
    expect(after.shardId).toBe('shardId-000000000001');
    const old = before.records.filter((r) => 'shardId' in r && r.shardId === after.shardId);
    for (const r of old)
      if ('sequenceNumber' in r) expect(BigInt(after.sequenceNumber) > BigInt(r.sequenceNumber)).toBe(true);
    expect(text((await readShard(second, 'kept', 'shardId-000000000001')).records)).toEqual([
      'old1',
      'old3',
      'new',
    ]);
  });

  it('loses no acknowledged record when the writer is killed with SIGKILL, and continues above the old numbers', async () => {
    const location = await tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/streams-crash-writer.ts', location],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acknowledged = new Map<string, Array<{ sequence: string; data: string }>>();
    let count = 0;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const [shardId, sequence, data] = line.split(' ');
        if (shardId === 'READY' || !shardId || !sequence || data === undefined) return;
        if (shardId === 'FAILED') return reject(new Error(line));
        const list = acknowledged.get(shardId) ?? [];
        list.push({ sequence, data });
        acknowledged.set(shardId, list);
        if (++count === 400) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    const engine = await createEngine({ location });
    onCleanup(() => engine.close());
    for (const shardId of SHARDS) {
      const { records } = await readShard(engine, 'crash', shardId);
      const sequences = records.map((r) => r.sequenceNumber);
      expect(new Set(sequences).size).toBe(sequences.length);
      expect(sequences.every((s, i) => i === 0 || BigInt(s) > BigInt(sequences[i - 1] ?? '0'))).toBe(true);
      const stored = new Map(records.map((r) => [r.sequenceNumber, r.data.toString()]));
      for (const ack of acknowledged.get(shardId) ?? []) expect(stored.get(ack.sequence)).toBe(ack.data);
      const last = sequences[sequences.length - 1] ?? '0';
      const key = records[0]?.partitionKey ?? 'x';
      const fresh = await engine.streams.putRecord('crash', { partitionKey: key, data: 'after crash' });
      expect(fresh.shardId).toBe(shardId);
      expect(BigInt(fresh.sequenceNumber) > BigInt(last)).toBe(true);
    }
    expect(count).toBeGreaterThanOrEqual(400);
  });
});
