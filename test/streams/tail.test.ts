import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { BACKEND_KINDS, collect, openEngine, STORAGE_KINDS } from '../helpers/engines.js';
import { internals } from '../helpers/harness.js';
import { text } from './helpers.js';

describe.each(BACKEND_KINDS)('records$ tails (%s)', (kind) => {
  it('wakes a LATEST tail on each write, without reading what came before', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('tail', { shardCount: 2 });
    await engine.streams.putRecord('tail', { partitionKey: 'a', data: 'old' });
    const got = collect(engine.streams.records$('tail'), 3);
    await engine.streams.putRecord('tail', { partitionKey: 'a', data: 'n1' });
    await engine.streams.putRecord('tail', { partitionKey: 'b', data: 'n2' });
    await engine.streams.putRecord('tail', { partitionKey: 'a', data: 'n3' });
    expect(text(await got).sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('tails one shard after a sequence number', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('one');
    const first = await engine.streams.putRecord('one', { partitionKey: 'a', data: 'r1' });
    await engine.streams.putRecord('one', { partitionKey: 'a', data: 'r2' });
    const tail = engine.streams.records$('one', {
      shardId: first.shardId,
      from: { afterSequenceNumber: first.sequenceNumber },
    });
    const got = firstValueFrom(tail.pipe(take(2), toArray()));
    await engine.streams.putRecord('one', { partitionKey: 'a', data: 'r3' });
    expect(text(await got)).toEqual(['r2', 'r3']);
  });

  it('completes when the engine closes', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('done');
    const seen: string[] = [];
    let delivered: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const completed = new Promise<void>((resolve) => {
      engine.streams.records$('done', { from: 'TRIM_HORIZON' }).subscribe({
        next: (r) => {
          seen.push(r.data.toString());
          delivered();
        },
        complete: resolve,
      });
    });
    await engine.streams.putRecord('done', { partitionKey: 'a', data: 'x' });
    await first;
    await engine.close();
    await completed;
    expect(seen).toEqual(['x']);
  });

  it('resolves LATEST at subscription and reports a bad argument through the Observable', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('late');
    const tail = engine.streams.records$('late');
    await engine.streams.putRecord('late', { partitionKey: 'a', data: 'before' });
    const got = firstValueFrom(tail.pipe(take(1)));
    await engine.streams.putRecord('late', { partitionKey: 'a', data: 'after' });
    expect(text([await got])).toEqual(['after']);

    const missing = engine.streams.records$('absent');
    await expect(firstValueFrom(missing)).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    const noShard = engine.streams.records$('late', { from: { afterSequenceNumber: '1' } });
    await expect(firstValueFrom(noShard)).rejects.toMatchObject({ code: 'InvalidArgumentException' });
  });
});

describe.each(STORAGE_KINDS)('records: the pulled reader (%s)', (kind) => {
  it('reads a batch only when the loop asks for more than the last one held', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('pull');
    for (const data of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      await engine.streams.putRecord('pull', { partitionKey: 'a', data });
    }
    const reads = vi.spyOn(internals(engine).shardLog, 'read');
    const reader = engine.streams.records('pull', { from: 'TRIM_HORIZON', batchSize: 2 });
    expect(reads).not.toHaveBeenCalled();
    const seen: string[] = [];
    const readsAt: number[] = [];
    for await (const record of reader) {
      seen.push(record.data.toString());
      readsAt.push(reads.mock.calls.length);
      // A slow consumer: nothing is read ahead while it works on a record.
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(readsAt).toEqual([1, 1, 2, 2, 3]);
  });

  it('waits for new records when caught up, and ends when the loop breaks', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('live', { shardCount: 2 });
    const iterator = engine.streams.records('live')[Symbol.asyncIterator]();
    const first = iterator.next();
    await engine.streams.putRecord('live', { partitionKey: 'b', data: 'n1' });
    expect((await first).value?.data.toString()).toBe('n1');
    await iterator.return?.();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('throws a bad argument at the first next()', async () => {
    const engine = await openEngine(kind);
    const reader = engine.streams.records('absent');
    await expect(reader.next()).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });
});
