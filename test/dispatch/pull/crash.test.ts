import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/engines.js';

const CHILD = fileURLToPath(new URL('../../fixtures/pull-crash-child.ts', import.meta.url));
const SHARDS = 4;
const PER_SHARD = 400;
const BATCH = 20;

/** Runs the child; SIGKILLs it after `killAfter` batches (never when undefined). True when it finished. */
function runChild(location: string, out: string, killAfter: number | undefined): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, location, out, String(SHARDS), String(PER_SHARD), String(BATCH)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let batches = 0;
    let done = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === 'done') done = true;
        if (line === 'batch' && ++batches === killAfter) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(done));
  });
}

describe('pull crash safety (kill -9)', () => {
  it('delivers every record after SIGKILLs at random points; per shard, only the batch in flight repeats', async () => {
    const location = join(await tempDir(), 'db');
    const out = join(await tempDir(), 'delivered.txt');
    let finished = false;
    let runs = 0;
    while (!finished) {
      runs++;
      // Kill after 1..15 batches in the first four runs, then let it finish.
      const killAfter = runs <= 4 ? 1 + Math.floor(Math.random() * 15) : undefined;
      finished = await runChild(location, out, killAfter);
      expect(runs).toBeLessThan(8);
    }
    const lines = (await readFile(out, 'utf8')).split('\n').filter((l) => l !== '');
    const perShard = new Map<string, bigint[]>();
    for (const line of lines) {
      const [shard = '', seq = ''] = line.split(':');
      perShard.set(shard, [...(perShard.get(shard) ?? []), BigInt(seq)]);
    }
    expect(perShard.size).toBe(SHARDS);
    for (const seqs of perShard.values()) {
      const distinct = [...new Set(seqs)];
      expect(distinct).toHaveLength(PER_SHARD);
      expect([...distinct].sort((a, b) => (a < b ? -1 : 1))).toEqual(distinct);
      // Going backwards only redelivers the batch in flight: never more than one batch back.
      let max = -1n;
      let maxIndex = -1;
      for (const seq of seqs) {
        if (seq > max) {
          max = seq;
          maxIndex = distinct.indexOf(seq);
        } else {
          expect(maxIndex - distinct.indexOf(seq)).toBeLessThan(BATCH);
        }
      }
    }
  }, 60_000);
});
