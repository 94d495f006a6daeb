import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../../src/index.js';
import { onCleanup, tempDir } from '../../helpers/engines.js';

const T0 = Date.UTC(2026, 0, 1);

describe('metrics after kill -9', () => {
  it('keeps every minute flushed before the crash and loses only the open one', async () => {
    const location = await tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/metrics-crash-child.ts', location, String(T0)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line === 'unflushed') {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    await exited;

    const engine = await createEngine({ location, clock: new ManualClock(T0 + 120_000) });
    onCleanup(() => engine.close());
    const { datapoints } = await engine.metrics.getStatistics({
      namespace: 'App',
      metricName: 'Orders',
      startTime: T0,
      endTime: T0 + 120_000,
      periodMs: 60_000,
      statistics: ['Sum', 'SampleCount', 'Maximum'],
      extendedStatistics: ['p100'],
    });
    expect(datapoints).toEqual([
      { timestamp: T0, sum: 10, sampleCount: 4, maximum: 4, unit: 'Count', extendedStatistics: { p100: 4 } },
    ]);
  }, 60_000);
});
