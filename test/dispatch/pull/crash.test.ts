import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/engines.js';

const CHILD = fileURLToPath(new URL('../../fixtures/pull-crash-child.ts', import.meta.url));
const SHARDS = 4;
const TOTAL = 2000;
const BATCH = 20;

/** Runs the child; SIGKILLs it after `killAfter` batches (never when undefined). True when it finished. */
function runChild(location: string, out: string, killAfter: number | undefined): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, location, out, String(SHARDS), String(TOTAL), String(BATCH)],
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

function readLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('pull crash safety with real streams and functions (kill -9)', () => {
  it('delivers every record after SIGKILLs at random points; per shard, only the batch in flight repeats', async () => {
    const dir = await tempDir();
    const location = join(dir, 'db');
    const out = join(dir, 'delivered.txt');
    let finished = false;
    let runs = 0;
    while (!finished) {
      runs++;
      // Kill after 1..20 delivered batches in the first four runs (records are being written
      // meanwhile), then let it finish.
      const killAfter = runs <= 4 ? 1 + Math.floor(Math.random() * 20) : undefined;
      finished = await runChild(location, out, killAfter);
      expect(runs).toBeLessThan(8);
    }
    const expected = readLines(await readFile(`${out}.expected`, 'utf8'));
    expect(expected.length).toBeGreaterThanOrEqual(TOTAL);
    const delivered = readLines(await readFile(out, 'utf8'));
    expect(new Set(delivered)).toEqual(new Set(expected));
    const perShard = new Map<string, string[]>();
    for (const line of expected) {
      const [shard = '', seq = ''] = line.split(':');
      perShard.set(shard, [...(perShard.get(shard) ?? []), seq]);
    }
    for (const [shardId, stored] of perShard) {
      const position = new Map(stored.map((seq, i) => [seq, i]));
      const seqs = delivered.filter((l) => l.startsWith(`${shardId}:`)).map((l) => l.split(':')[1] ?? '');
      // Going backwards only redelivers the batch in flight: never more than one batch back.
      let max = -1;
      for (const seq of seqs) {
        const at = position.get(seq) ?? -1;
        if (at > max) {
          expect(at).toBe(max + 1);
          max = at;
        } else {
          expect(max - at).toBeLessThan(BATCH);
        }
      }
    }
  }, 90_000);
});
