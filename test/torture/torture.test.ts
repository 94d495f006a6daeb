import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engines.js';
import { describeFailure, QUICK_FAULTS, runTorture, tortureSeed } from './driver.js';

describe('crash torture of a whole pipeline (short form; `npm run torture` runs long)', () => {
  it('loses nothing acknowledged, delivers everything, keeps shard order and gives up only to destinations across SIGKILLs', async () => {
    const seed = tortureSeed();
    const result = await runTorture({
      seed,
      cycles: 2,
      dir: await tempDir('lambdalite-torture-'),
      // A cycle lives at least three lines: its first chaos event (a failing one) is its third ack.
      killAfterAtLeast: 3,
      killWithin: 40,
      faults: QUICK_FAULTS,
      stallMs: 60_000,
    });
    expect(result.problems, describeFailure(result)).toEqual([]);
    expect(result.counts.ackedObjects).toBeGreaterThan(0);
    expect(result.counts.givenUp).toBeGreaterThan(0);
    expect(result.counts.chaosGivenUp).toBeGreaterThan(0);
  }, 300_000);
});
