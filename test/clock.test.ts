import { afterEach, describe, expect, it, vi } from 'vitest';
import { delay, MAX_TIMER_STEP_MS, ManualClock, SystemClock } from '../src/clock.js';

describe('ManualClock', () => {
  it('fires timers only when time is advanced past their due time, in due order', () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(101);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1_200);
  });

  it('fires timers scheduled by callbacks inside the advanced window, at their own time', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 50);
    }, 10);
    clock.advance(100);
    expect(seen).toEqual([10, 60]);
  });

  it('never fires a cleared timer', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 5);
    clock.clearTimeout(handle);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses to move backwards', () => {
    const clock = new ManualClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('delay() resolves on advance and rejects when aborted', async () => {
    const clock = new ManualClock(0);
    const done = delay(clock, 1_000);
    clock.advance(1_000);
    await expect(done).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = delay(clock, 1_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('SystemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits a delay longer than a Node timer can hold in steps instead of firing at once', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new SystemClock();
    let fired = 0;
    const thirtyDays = 30 * 24 * 3_600_000;
    const handle = clock.setTimeout(() => fired++, thirtyDays);
    expect(handle.dueAt).toBe(thirtyDays);
    vi.advanceTimersByTime(MAX_TIMER_STEP_MS);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(thirtyDays - MAX_TIMER_STEP_MS - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it('cancels a long timer between its steps', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new SystemClock();
    let fired = 0;
    const handle = clock.setTimeout(() => fired++, 3 * MAX_TIMER_STEP_MS);
    vi.advanceTimersByTime(MAX_TIMER_STEP_MS + 5);
    clock.clearTimeout(handle);
    vi.advanceTimersByTime(3 * MAX_TIMER_STEP_MS);
    expect(fired).toBe(0);
  });
});
