/** `invoke`: synchronous invokes of the function, `concurrency` in flight, timed one by one. */
import type { Engine } from '../../engine.js';
import { countColdStarts, payloadJson, type ScenarioRun, Tally } from './scenario.js';

export function invokeScenario(
  engine: Engine,
  functionName: string,
  payload: Buffer,
  concurrency: number,
): ScenarioRun {
  const tally = new Tally();
  const event = payloadJson(payload);
  const cold = countColdStarts(engine, functionName, tally);
  return {
    description: `invoke ${functionName} (RequestResponse), ${concurrency} in flight`,
    inFlight: concurrency,
    perCall: 1,
    baseline: 'round-trips',
    tally,
    async send() {
      const started = performance.now();
      try {
        await engine.functions.invoke(functionName, event);
      } catch {
        // Throttles and refusals are what a caller sees too: counted, not fatal to the run.
        tally.refused++;
      }
      tally.latencies.record(performance.now() - started);
      tally.finish(1);
    },
    stop: () => cold.unsubscribe(),
  };
}
