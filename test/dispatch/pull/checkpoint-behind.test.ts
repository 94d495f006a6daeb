import { describe, expect, it } from 'vitest';
import { STORAGE_KINDS } from '../../helpers/engines.js';
import { pullHarness } from '../../helpers/pull-harness.js';

/** Lets the event loop run `turns` times (bounded: never waits on time). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe.each(STORAGE_KINDS)('the checkpoint written behind the next read (%s)', (kind) => {
  it('sends the next batch only once the checkpoint of the batch before is durable', async () => {
    // A slow disk: writes made while `hold` is set wait until it is released.
    let hold: Promise<void> | undefined;
    let release = (): void => undefined;
    let held = 0;
    const h = await pullHarness(kind, {
      seams: {
        storageFaults: {
          beforeWrite: () => {
            if (!hold) return;
            held++;
            return hold;
          },
        },
      },
    });
    const records = Array.from({ length: 10 }, (_, i) => h.log.put({ partitionKey: 'k', data: `r${i}` }));
    h.invoker.script = (_records, call) => {
      // The first batch's checkpoint write (and any write after it) waits on the slow disk.
      if (call === 0) hold = new Promise<void>((resolve) => (release = resolve));
      return { kind: 'ok' };
    };
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 5,
    });
    await h.events.wait('mapping.batch.invoked', (e) => e.uuid === uuid);
    // The checkpoint write has reached the disk and is held there...
    for (let i = 0; i < 1000 && held === 0; i++) await turns(1);
    expect(held).toBeGreaterThan(0);
    // ...and while it is, the second batch (already read) is not sent: a crash now would
    // redeliver only the first batch.
    await turns(200);
    expect(h.invoker.batches).toHaveLength(1);
    hold = undefined;
    release();
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === records[9]?.sequenceNumber);
    expect(h.invoker.batches.map((b) => b.length)).toEqual([5, 5]);
  });
});
