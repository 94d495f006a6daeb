import type { Engine, ManualClock } from '../../src/index.js';
import { onCleanup } from '../helpers/engines.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/**
 * Moves the manual clock to each scheduled retry or throttle backoff as soon as it is written,
 * so a test runs a whole retry history without waiting. Returns the delays it advanced by.
 */
export function followSchedule(engine: Engine, clock: ManualClock): number[] {
  const delays: number[] = [];
  const sub = engine.events$.subscribe((event) => {
    if (event.type === 'async.retry-scheduled' || event.type === 'async.throttled') {
      delays.push(event.delayMs);
      void engine.asyncInvocations.idle().then(() => clock.advance(event.delayMs));
    }
  });
  onCleanup(async () => sub.unsubscribe());
  return delays;
}
