import { afterEach, describe, expect, it, vi } from 'vitest';
import { delay, ManualClock, SystemClock } from '../src/clock.js';

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
  afterEach(() => vi.useRealTimers());

  it('holds a timer longer than Node allows (30 days) until it is due, instead of firing at once', () => {
    vi.useFakeTimers();
    const clock = new SystemClock();
    const fired = vi.fn();
    const thirtyDays = 30 * 86_400_000;
    clock.setTimeout(fired, thirtyDays);
    vi.advanceTimersByTime(60_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(thirtyDays - 60_000 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('clears a long timer between its steps', () => {
    vi.useFakeTimers();
    const clock = new SystemClock();
    const fired = vi.fn();
    const handle = clock.setTimeout(fired, 40 * 86_400_000);
    vi.advanceTimersByTime(26 * 86_400_000);
    clock.clearTimeout(handle);
    vi.advanceTimersByTime(20 * 86_400_000);
    expect(fired).not.toHaveBeenCalled();
  });
});
