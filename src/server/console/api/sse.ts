/**
 * Server-sent events from an Observable: each value one `data:` message, written in order; the
 * stream ends when the client goes away (unsubscribing) or the source completes (the engine
 * closed). The first message, `ready`, is sent once the subscription exists, so a client knows
 * that anything happening from then on will reach it.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Observable } from 'rxjs';

export interface SseMessage {
  readonly event?: string;
  readonly data: unknown;
  readonly id?: string;
}

export function sseFrom(
  c: Context,
  source$: Observable<SseMessage>,
  prelude: () => Promise<readonly SseMessage[]> = async () => [],
): Response {
  return streamSSE(c, async (stream) => {
    let writing: Promise<void> = Promise.resolve();
    const send = (m: SseMessage): void => {
      const message = {
        data: JSON.stringify(m.data),
        ...(m.event === undefined ? {} : { event: m.event }),
        ...(m.id === undefined ? {} : { id: m.id }),
      };
      writing = writing.then(() => (stream.aborted ? undefined : stream.writeSSE(message)));
    };
    let buffered: SseMessage[] | undefined = [];
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const subscription = source$.subscribe({
      next: (m) => (buffered === undefined ? send(m) : buffered.push(m)),
      error: (err: unknown) => {
        send({ event: 'error', data: { message: err instanceof Error ? err.message : String(err) } });
        finish();
      },
      complete: () => finish(),
    });
    stream.onAbort(() => {
      subscription.unsubscribe();
      finish();
    });
    // What arrived while the prelude was read may be in it too: an id is sent once.
    const seen = new Set<string>();
    try {
      for (const m of await prelude()) {
        if (m.id !== undefined) seen.add(m.id);
        send(m);
      }
    } finally {
      const pending = buffered;
      buffered = undefined;
      for (const m of pending) if (m.id === undefined || !seen.has(m.id)) send(m);
    }
    send({ event: 'ready', data: {} });
    await done;
    subscription.unsubscribe();
    await writing.catch(() => undefined);
  });
}
