import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { onCleanup } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { internals, openEngineWith } from '../helpers/harness.js';

/** A disk that holds every write back while `slow` is set, until `release()`. */
class SlowDisk {
  slow = false;
  #waiting: Array<() => void> = [];
  beforeWrite(): Promise<void> | undefined {
    if (!this.slow) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  /** Resolves once a write is being held: the next writes queue behind it. */
  async held(): Promise<void> {
    for (let i = 0; i < 1000 && this.#waiting.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(this.#waiting.length).toBeGreaterThan(0);
  }
  release(): void {
    this.slow = false;
    for (const go of this.#waiting.splice(0)) go();
  }
}

const KIB = 'x'.repeat(1024);

async function pipeline(disk: SlowDisk): Promise<Engine> {
  const engine = await openEngineWith(
    'disk',
    { quotas: { writeBacklogBytes: 8 * 1024 } },
    { storageFaults: disk },
  );
  await engine.buckets.create('box');
  await engine.streams.create('str');
  await engine.tables.create('tab', { partitionKey: 'id' });
  await createFixture(engine, 'f', 'styles.asyncHandler');
  return engine;
}

describe('backpressure: producers that outrun the disk', () => {
  it('are refused with each service’s retriable throttling code once the write backlog passes its bound, and nothing of a refused call is written', async () => {
    const disk = new SlowDisk();
    const engine = await pipeline(disk);
    onCleanup(async () => disk.release());
    disk.slow = true;
    // Writes the disk has not taken yet: one held, the rest waiting behind it. Each counts its
    // body and a call's overhead (256 bytes): the seventh passes the 8 KiB bound.
    const accepted = Array.from({ length: 7 }, (_, i) => engine.buckets.putObject('box', `k${i}`, KIB));
    await disk.held();
    expect(internals(engine).ctx.backpressure.inFlight).toBeGreaterThan(8 * 1024);

    const s3 = await expectCode(
      engine.buckets.putObject('box', 'refused', KIB),
      'SlowDown',
      'writeBacklogBytes',
    );
    expect([s3.statusCode, s3.retriable]).toEqual([503, true]);
    const kinesis = await expectCode(
      engine.streams.putRecord('str', { partitionKey: 'p', data: 'refused' }),
      'ProvisionedThroughputExceededException',
    );
    expect([kinesis.statusCode, kinesis.retriable]).toEqual([400, true]);
    // PutRecords answers per record, as Kinesis does.
    const batch = await engine.streams.putRecords('str', [
      { partitionKey: 'p', data: 'a' },
      { partitionKey: 'q', data: 'b' },
    ]);
    expect(batch.failedRecordCount).toBe(2);
    expect(batch.records.map((r) => ('errorCode' in r ? r.errorCode : 'ok'))).toEqual([
      'ProvisionedThroughputExceededException',
      'ProvisionedThroughputExceededException',
    ]);
    await expectCode(
      engine.tables.putItem('tab', { id: 'refused' }),
      'ProvisionedThroughputExceededException',
    );
    const lambda = await expectCode(
      engine.functions.invoke('f', {}, { invocationType: 'Event' }),
      'TooManyRequestsException',
    );
    expect([lambda.statusCode, lambda.retriable]).toEqual([429, true]);
    // Reads and the engine's own work go on meanwhile.
    expect((await engine.functions.invoke('f', { n: 1 })).statusCode).toBe(200);

    disk.release();
    await Promise.all(accepted);
    expect(internals(engine).ctx.backpressure.inFlight).toBe(0);
    // The accepted writes are all there, the refused ones are not.
    const keys = (await engine.buckets.listObjects('box')).contents.map((o) => o.key);
    expect(keys).toHaveLength(7);
    expect(keys).not.toContain('refused');
    expect(await engine.tables.getItem('tab', { id: 'refused' })).toBeUndefined();
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
    // Once the disk has caught up, producers are served again.
    await engine.buckets.putObject('box', 'later', KIB);
    await engine.streams.putRecord('str', { partitionKey: 'p', data: 'later' });
  });

  it('slows a producer that awaits its calls instead of refusing it', async () => {
    const disk = new SlowDisk();
    const engine = await pipeline(disk);
    onCleanup(async () => disk.release());
    disk.slow = true;
    const put = engine.buckets.putObject('box', 'waits', KIB);
    await disk.held();
    let done = false;
    void put.then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    disk.release();
    await expect(put).resolves.toMatchObject({ size: 1024 });
  });

  it('refuses a negative or fractional bound when the engine opens', async () => {
    for (const bad of [-1, 0.5, '1']) {
      await expectCode(
        openEngineWith('memory', { quotas: { writeBacklogBytes: bad as number } }, {}),
        'InvalidArgument',
        'writeBacklogBytes',
      );
    }
  });
});
