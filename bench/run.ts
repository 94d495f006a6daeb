/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named) from the compiled output
 * and prints each as a Markdown section ready for bench/RESULTS.md.
 */
import type { Benchmark } from './harness.js';
import { machine, table } from './harness.js';
import { pullBenchmark } from './pull.js';

const benchmarks: Benchmark[] = [pullBenchmark];

const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? benchmarks : benchmarks.filter((b) => wanted.includes(b.name));
console.log(`# lambdalite benchmarks\n\nMachine: ${machine()}\nDate: ${new Date().toISOString()}\n`);
for (const bench of selected) {
  const figures = await bench.run();
  console.log(`## ${bench.name}\n\n${table(figures)}\n`);
}
