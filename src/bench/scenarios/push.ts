/**
 * `push`: putObject into a bucket whose notification invokes the function asynchronously
 * (queued, retried, as S3 does). A record's latency runs from its putObject call to the end of
 * its successful (or last) function run.
 */
import type { Engine } from '../../engine.js';
import { countColdStarts, type ScenarioRun, Tally } from './scenario.js';

/** Puts in flight: enough to keep the function's containers busy without measuring a backlog. */
export const PUSH_IN_FLIGHT = 100;

export interface PushTarget {
  bucket: string;
  /** Keys are `${prefix}${index}${suffix}`, so a notification filter matches them. */
  prefix: string;
  suffix: string;
}

/** A bucket notifying the function, with S3's permission on the function. */
export async function setUpPush(engine: Engine, functionName: string): Promise<PushTarget> {
  const fn = await engine.functions.get(functionName);
  await engine.buckets.create('bench');
  await engine.functions.addPermission(functionName, {
    statementId: 's3-bench',
    action: 'lambda:InvokeFunction',
    principal: 's3.amazonaws.com',
    sourceArn: 'arn:aws:s3:::bench',
    sourceAccount: engine.accountId,
  });
  await engine.buckets.putNotificationConfiguration('bench', {
    lambdaFunctionConfigurations: [{ functionArn: fn.functionArn, events: ['s3:ObjectCreated:*'] }],
  });
  return { bucket: 'bench', prefix: 'bench/', suffix: '' };
}

export function pushScenario(
  engine: Engine,
  functionName: string,
  target: PushTarget,
  payload: Buffer,
): ScenarioRun {
  const tally = new Tally();
  // A put's event is queued when the put commits, and puts commit in call order (the storage
  // joins concurrent writes into one batch in arrival order): the n-th event queued for the
  // function belongs to the n-th put.
  const starts: number[] = [];
  let head = 0;
  const startOf = new Map<string, number>();
  const end = (requestId: string): void => {
    const started = startOf.get(requestId);
    if (started === undefined) return;
    startOf.delete(requestId);
    tally.latencies.record(performance.now() - started);
    tally.finish(1);
  };
  const cold = countColdStarts(engine, functionName, tally);
  const events = engine
    .eventsOf$(
      'async.enqueued',
      'async.succeeded',
      'async.failed',
      'async.retry-scheduled',
      'async.throttled',
    )
    .subscribe((e) => {
      if (e.functionName !== functionName) return;
      switch (e.type) {
        case 'async.enqueued': {
          const started = starts[head++];
          if (started !== undefined) startOf.set(e.requestId, started);
          if (head > 4096 && head * 2 > starts.length) {
            starts.splice(0, head);
            head = 0;
          }
          break;
        }
        case 'async.succeeded':
          end(e.requestId);
          break;
        case 'async.failed':
          end(e.requestId);
          break;
        case 'async.retry-scheduled':
          tally.retries++;
          break;
        case 'async.throttled':
          tally.retries++;
          break;
      }
    });
  return {
    description: `push: putObject ${target.bucket} -> notification -> ${functionName} (async)`,
    inFlight: PUSH_IN_FLIGHT,
    perCall: 1,
    baseline: 'round-trips',
    tally,
    async send(first) {
      starts.push(performance.now());
      await engine.buckets.putObject(target.bucket, `${target.prefix}${first}${target.suffix}`, payload);
    },
    stop() {
      events.unsubscribe();
      cold.unsubscribe();
    },
  };
}
