/**
 * `npm run bench [name...]`: runs the benchmarks (all, or those named) from the compiled output
 * and prints each as a Markdown section ready for bench/RESULTS.md.
 */
import { boundedBenchmark } from './bounded.js';
import { bucketsBenchmark } from './buckets.js';
import { clusterBenchmark } from './cluster.js';
import { functionsBenchmark } from './functions.js';
import type { Benchmark } from './harness.js';
import { machine, table } from './harness.js';
import { iamBenchmark } from './iam.js';
import { listingBenchmark } from './listing.js';
import { observeBenchmark } from './observe.js';
import { pullBenchmark } from './pull.js';
import { pushBenchmark } from './push.js';
import { scaleBenchmark } from './scale.js';
import { sdkBenchmark } from './sdk.js';
import { serveKinesisBenchmark, serveS3Benchmark } from './serve.js';
import { streamsBenchmark } from './streams.js';

const benchmarks: Benchmark[] = [bucketsBenchmark];
benchmarks.push(iamBenchmark);
benchmarks.push(pushBenchmark);
benchmarks.push(functionsBenchmark);
benchmarks.push(streamsBenchmark);
benchmarks.push(pullBenchmark);
benchmarks.push(sdkBenchmark);
benchmarks.push(scaleBenchmark);
benchmarks.push(serveKinesisBenchmark);
benchmarks.push(serveS3Benchmark);
benchmarks.push(observeBenchmark);
benchmarks.push(clusterBenchmark);
benchmarks.push(boundedBenchmark);
benchmarks.push(listingBenchmark);

// Flags (`--long`) are the benchmarks' own.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const selected = wanted.length === 0 ? benchmarks : benchmarks.filter((b) => wanted.includes(b.name));
console.log(`# lambdalite benchmarks\n\nMachine: ${machine()}\nDate: ${new Date().toISOString()}\n`);
for (const bench of selected) {
  const figures = await bench.run();
  console.log(`## ${bench.name}\n\n${table(figures)}\n`);
}
