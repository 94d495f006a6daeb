/**
 * Inside a container: the channel `lambdalite/sdk` calls travel on. The worker installs it on
 * a global symbol at start (so every copy of the SDK module, whichever path loaded it, finds the
 * same one); each call is one `sdk` message answered by one `sdkResult`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SdkCallMessage, SdkResultMessage } from '../protocol.js';

export const CHANNEL_KEY = Symbol.for('lambdalite.sdk.channel');

/** An engine error as the function sees it: `name` and `code` are AWS's code. */
export class SdkError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

/** Makes the error a failed call rejects with. */
export type ErrorMaker = (code: string, message: string) => Error;

const sdkError: ErrorMaker = (code, message) => new SdkError(code, message);

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  error: ErrorMaker;
}

export class SdkChannel {
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(private readonly port: MessagePort) {}

  /**
   * `error` makes the rejection: the calling copy of the SDK passes its own, so a function's
   * `instanceof SdkError` holds whichever copy of this module made the channel (the built
   * worker is one bundled file with its own copy).
   */
  call(service: string, method: string, args: unknown[], error: ErrorMaker = sdkError): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, error });
      const message: SdkCallMessage = { type: 'sdk', id, service, method, args };
      this.port.postMessage(message);
    });
  }

  /** Settles the call a `sdkResult` answers. */
  settle(message: SdkResultMessage): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error) pending.reject(pending.error(message.error.code, message.error.message));
    else pending.resolve(message.result);
  }
}

export function installChannel(channel: SdkChannel): void {
  Reflect.set(globalThis, CHANNEL_KEY, channel);
}

export function currentChannel(): SdkChannel {
  const channel: unknown = Reflect.get(globalThis, CHANNEL_KEY);
  if (!(channel instanceof Object) || typeof (channel as SdkChannel).call !== 'function') {
    throw new Error('lambdalite/sdk works only inside a function run by a lambdalite engine');
  }
  return channel as SdkChannel;
}
