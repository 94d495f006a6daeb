/** Runs the real `lambdalite` binary (through tsx) and collects what it printed. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr (`where`) contains `text`; rejects after `ms` or on exit. */
  waitFor(where: 'stdout' | 'stderr', text: string, ms?: number): Promise<void>;
  readonly exit: Promise<Ran>;
}

export function start(args: readonly string[], input?: string): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.LAMBDALITE_ENDPOINT;
  delete env.LAMBDALITE_CREDENTIALS;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env,
  });
  if (input !== undefined) child.stdin?.end(input);
  const out = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', (c: Buffer) => {
    out.stdout += c.toString();
    poke();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out.stderr += c.toString();
    poke();
  });
  const exit = new Promise<Ran>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: out.stdout, stderr: out.stderr })),
  );
  let exited = false;
  void exit.then(() => {
    exited = true;
    poke();
  });
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exit,
    waitFor(where, text, ms = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no '${text}' on ${where} within ${ms} ms: ${JSON.stringify(out)}`)),
          ms,
        );
        const check = (): void => {
          if (out[where].includes(text)) {
            clearTimeout(timer);
            resolve();
          } else if (exited) {
            clearTimeout(timer);
            reject(new Error(`exited before '${text}' on ${where}: ${JSON.stringify(out)}`));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

export function run(args: readonly string[], input?: string): Promise<Ran> {
  return start(args, input).exit;
}
