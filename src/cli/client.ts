/**
 * The CLI's way to a running `lambdalite serve`: its console API (JSON under /_lambdalite/api,
 * server-sent events for live feeds). Every failure becomes a {@link CliError} with an exit code.
 */
import { CliError, EXIT } from './exit.js';

export const API_PATH = '/_lambdalite/api';

export interface SseMessage {
  readonly event: string;
  readonly data: unknown;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export class ApiClient {
  readonly endpoint: string;
  readonly #authorization: string | undefined;

  constructor(endpoint: string, credentials?: string) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.#authorization =
      credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.#json<T>('GET', path, query, undefined);
  }

  post<T>(path: string, body: unknown, query: Query = {}): Promise<T> {
    return this.#json<T>('POST', path, query, body);
  }

  /** Messages of a server-sent-events feed until the server ends it or `signal` aborts. */
  async *events(path: string, query: Query, signal: AbortSignal): AsyncGenerator<SseMessage> {
    const response = await this.#fetch('GET', path, query, undefined, signal, 'text/event-stream');
    if (!response.ok) await this.#refusal(response);
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const message = parseSse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (message !== undefined) yield message;
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw new CliError(`the feed from ${this.endpoint} broke: ${describe(err)}`, EXIT.unreachable);
    }
  }

  async #json<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const response = await this.#fetch(method, path, query, body, undefined, 'application/json');
    if (!response.ok) await this.#refusal(response);
    return (await response.json()) as T;
  }

  async #fetch(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    signal: AbortSignal | undefined,
    accept: string,
  ): Promise<Response> {
    const url = new URL(`${this.endpoint}${API_PATH}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    try {
      return await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach a lambdalite server at ${this.endpoint} (${describe(err)}); ` +
          'start one with `lambdalite serve` or pass --endpoint',
        EXIT.unreachable,
      );
    }
  }

  async #refusal(response: Response): Promise<never> {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && 'code' in parsed && 'message' in parsed) {
      const { code, message } = parsed as { code: unknown; message: unknown };
      throw new CliError(String(message), EXIT.failed, String(code));
    }
    throw new CliError(
      `${this.endpoint} answered HTTP ${response.status}, not as a lambdalite server would: ${text.slice(0, 200)}`,
      EXIT.failed,
    );
  }
}

function describe(err: unknown): string {
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code !== undefined) return cause.code;
  if (cause?.message !== undefined) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function parseSse(block: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return undefined;
  try {
    return { event, data: JSON.parse(data.join('\n')) };
  } catch {
    return { event, data: data.join('\n') };
  }
}
