/** Runs the tests' 3-node JetStream cluster until SIGINT / SIGTERM; prints its client URLs. */
import { startCluster } from '../test/jetstream/cluster.js';

const cluster = await startCluster();
console.log(cluster.servers.join(','));
const stop = async (): Promise<void> => {
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
