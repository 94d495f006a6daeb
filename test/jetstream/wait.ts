/**
 * Waiting in the multi-process tests: a wait re-checks its condition each time something it may
 * depend on happened (a child's message, a child's exit, an engine event), and fails after a
 * bound naming what it waited for. Child engine processes run a script under
 * `node --import tsx` and talk to the test over IPC.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Wake-ups for the waits of one test file; every `until` under way re-checks on `notify`. */
export class Wakeups {
  readonly #waiters = new Set<() => void>();

  /** Something happened: every wait re-checks its condition. */
  notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Resolves once `check` holds (checked now and on every `notify`); rejects after `ms` with
   * `what` and, when given, what `seen` says was there.
   */
  until(what: string, check: () => boolean, ms: number, seen?: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}${seen ? `; seen ${seen()}` : ''}`));
      }, ms);
      this.#waiters.add(waiter);
      waiter();
    });
  }
}

/** One child engine process. */
export interface EngineChild<M> {
  readonly process: ChildProcess;
  /** Its messages so far, in arrival order. */
  readonly messages: M[];
  /** Resolves when it exited (at once when it already had). */
  readonly exited: Promise<void>;
}

/**
 * Spawns `script` (a path) with the test's environment plus `env`; each message is kept, handed
 * to `onMessage` and wakes `wakeups`, as does the child's exit.
 */
export function spawnEngineChild<M>(
  script: string,
  env: Record<string, string>,
  wakeups: Wakeups,
  onMessage?: (message: M) => void,
): EngineChild<M> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const messages: M[] = [];
  child.on('message', (message: M) => {
    messages.push(message);
    onMessage?.(message);
    wakeups.notify();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => {
      resolve();
      wakeups.notify();
    });
  });
  return { process: child, messages, exited };
}

/** SIGKILLs every child still running and waits until each exited (for afterAll). */
export async function killAll(children: ReadonlyArray<EngineChild<unknown>>): Promise<void> {
  for (const child of children) child.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
}
