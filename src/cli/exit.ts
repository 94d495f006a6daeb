/**
 * Exit codes scripts can rely on, and the error that carries one to `main`:
 * 0 done; 1 the server refused (an AWS-style code is printed) or a function failed;
 * 2 a usage error (unknown command or option, bad argument); 3 no server answered.
 */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, unreachable: 3 });

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The AWS-style code the server answered with, when there is one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
