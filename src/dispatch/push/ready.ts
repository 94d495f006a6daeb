/**
 * The dispatcher's entries waiting in memory for a slot, per function, in the order they came:
 * read ahead by a scan, or handed over at commit (those count their payload's bytes against the
 * hand-over budget). Their keys stay in storage; scans skip them by request id.
 */
import type { QueueEntry } from './types.js';

/** An entry read ahead or handed over; `bytes` counts against the hand-over budget (0 when read). */
export interface Ready {
  key: string;
  entry: QueueEntry;
  bytes: number;
  /** The payload's JSON, when handed over (a read entry is serialised by the runtime). */
  payloadJson?: string;
}

export class ReadyEntries {
  readonly #byFunction = new Map<string, Ready[]>();
  readonly #ids = new Set<string>();
  #bytes = 0;

  /** Payload bytes of the handed-over entries waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries waiting, all functions. */
  get size(): number {
    return this.#ids.size;
  }

  /** Whether the entry with this request id waits here. */
  holds(requestId: string): boolean {
    return this.#ids.has(requestId);
  }

  /** Entries of the function waiting. */
  count(functionName: string): number {
    return this.#byFunction.get(functionName)?.length ?? 0;
  }

  add(functionName: string, item: Ready): void {
    const list = this.#byFunction.get(functionName);
    if (list) list.push(item);
    else this.#byFunction.set(functionName, [item]);
    this.#bytes += item.bytes;
    this.#ids.add(item.entry.requestId);
  }

  /** The function's oldest waiting entry, removed. */
  take(functionName: string): Ready | undefined {
    const list = this.#byFunction.get(functionName);
    const next = list?.shift();
    if (list?.length === 0) this.#byFunction.delete(functionName);
    if (!next) return undefined;
    this.#bytes -= next.bytes;
    this.#ids.delete(next.entry.requestId);
    return next;
  }

  clear(): void {
    this.#byFunction.clear();
    this.#ids.clear();
    this.#bytes = 0;
  }
}
