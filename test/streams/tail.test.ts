import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_KINDS, collect, openEngine } from '../helpers/engines.js';
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
});
