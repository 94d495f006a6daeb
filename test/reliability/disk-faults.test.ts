import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { nextEvent, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { Gates } from '../helpers/gates.js';
import { openEngineWith } from '../helpers/harness.js';

/** A disk that refuses writes while `full` is set, the way LevelDB reports ENOSPC. */
class FlakyDisk {
  full = false;
  beforeWrite(): void {
    if (this.full)
      throw Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' });
  }
}

async function records(engine: Engine, stream: string): Promise<string[]> {
  const [shard] = (await engine.streams.describe(stream)).shards;
  const iterator = await engine.streams.getShardIterator(stream, shard?.shardId ?? '', {
    type: 'TRIM_HORIZON',
  });
  return (await engine.streams.getRecords(iterator)).records.map((r) => r.data.toString('utf8'));
}

describe('disk trouble (an injected storage error)', () => {
  it('answers every write with a retriable ServiceException, changes nothing, and keeps what was acknowledged', async () => {
    const location = await tempDir();
    const disk = new FlakyDisk();
    const engine = await openEngineWith('disk', { location }, { storageFaults: disk });
    await engine.buckets.create('box');
    await engine.streams.create('str');
    await engine.tables.create('tab', { partitionKey: 'id', streamViewType: 'NEW_IMAGE' });
    await createFixture(engine, 'f', 'faults.sawTimer');
    await engine.buckets.putObject('box', 'kept', 'kept');
    await engine.streams.putRecord('str', { partitionKey: 'p', data: 'one' });
    await engine.tables.putItem('tab', { id: 'kept' });

    disk.full = true;
    const refused: Array<[string, () => Promise<unknown>]> = [
      ['putObject', () => engine.buckets.putObject('box', 'lost', 'x')],
      ['deleteObject', () => engine.buckets.deleteObject('box', 'kept')],
      ['putRecord', () => engine.streams.putRecord('str', { partitionKey: 'p', data: 'lost' })],
      ['putItem', () => engine.tables.putItem('tab', { id: 'lost' })],
      ['deleteItem', () => engine.tables.deleteItem('tab', { id: 'kept' })],
      ['invoke Event', () => engine.functions.invoke('f', {}, { invocationType: 'Event' })],
      ['streams.create', () => engine.streams.create('str2')],
      ['buckets.create', () => engine.buckets.create('box2')],
    ];
    for (const [name, call] of refused) {
      const err = await expectCode(call(), 'ServiceException', 'No space left on device').catch(
        (e: unknown) => {
          throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
      expect(err.retriable).toBe(true);
    }
    // putRecords answers per record, as Kinesis does: the refused records carry the error.
    const batch = await engine.streams.putRecords('str', [{ partitionKey: 'p', data: 'lost' }]);
    expect(batch.failedRecordCount).toBe(1);
    disk.full = false;

    await expectCode(engine.buckets.getObject('box', 'lost'), 'NoSuchKey');
    expect((await engine.buckets.getObject('box', 'kept')).body.toString()).toBe('kept');
    expect(await records(engine, 'str')).toEqual(['one']);
    expect(await engine.tables.getItem('tab', { id: 'lost' })).toBeUndefined();
    expect(await engine.tables.getItem('tab', { id: 'kept' })).toEqual({ id: 'kept' });
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
    await expectCode(engine.streams.describe('str2'), 'ResourceNotFoundException');
    expect((await engine.buckets.list()).map((b) => b.name)).toEqual(['box']);

    // Healed: writes go on where they left off.
    await engine.streams.putRecord('str', { partitionKey: 'p', data: 'two' });
    await engine.tables.putItem('tab', { id: 'after' });
    expect(await records(engine, 'str')).toEqual(['one', 'two']);
    await engine.close();

    const reopened = await createEngine({ location });
    try {
      expect(await records(reopened, 'str')).toEqual(['one', 'two']);
      expect((await reopened.buckets.getObject('box', 'kept')).body.toString()).toBe('kept');
      expect(await reopened.tables.getItem('tab', { id: 'after' })).toEqual({ id: 'after' });
      expect(await reopened.tables.getItem('tab', { id: 'lost' })).toBeUndefined();
    } finally {
      await reopened.close();
    }
  });

  it('keeps an event whose settling write fails queued, and delivers it again once the disk heals', async () => {
    const dir = await tempDir();
    const disk = new FlakyDisk();
    const engine = await openEngineWith(
      'disk',
      { location: join(dir, 'db'), asyncInvocation: { throttleBaseMs: 10, throttleMaxMs: 50 } },
      { storageFaults: disk },
    );
    await createFixture(engine, 'g', 'gate.handler');
    const gates = new Gates();
    const flag = gates.name('go');
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'g');
    await engine.functions.invoke('g', { waitFor: flag }, { invocationType: 'Event' });
    await started;
    const settled = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'g', 30_000);
    disk.full = true;
    const completed = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === 'g');
    gates.open(flag);
    await completed;
    // While the disk is full the event's removal cannot be written: it stays queued.
    expect(await engine.asyncInvocations.pendingCount()).toBe(1);
    disk.full = false;
    await settled;
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
    expect(engine.status).toBe('open');
  });
});
