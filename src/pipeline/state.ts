/**
 * What apply manages, per stack: one item of the engine table `lambdalite-pipelines`, written
 * through the engine's public table API. Prune deletes only what this record names, never
 * resources made some other way; a stack that declares nothing new writes nothing here.
 */
import { isLambdaliteError } from '../errors.js';
import type { PipelineEngine } from './engine.js';
import type { ResourceKind } from './types.js';

export const STATE_TABLE = 'lambdalite-pipelines';

export interface ManagedResource {
  readonly kind: ResourceKind;
  readonly id: string;
}

const key = (r: ManagedResource): string => `${r.kind}\0${r.id}`;

/** The managed set, keyed so that a kind and an id make one entry. */
export class ManagedSet {
  readonly #entries = new Map<string, ManagedResource>();

  constructor(resources: Iterable<ManagedResource> = []) {
    for (const r of resources) this.add(r);
  }

  add(r: ManagedResource): void {
    this.#entries.set(key(r), { kind: r.kind, id: r.id });
  }

  remove(r: ManagedResource): void {
    this.#entries.delete(key(r));
  }

  has(r: ManagedResource): boolean {
    return this.#entries.has(key(r));
  }

  get size(): number {
    return this.#entries.size;
  }

  list(): ManagedResource[] {
    return [...this.#entries.values()];
  }

  /** Sorted `kind id` lines: the stored form, stable so equal sets compare equal. */
  lines(): string[] {
    return this.list()
      .map((r) => `${r.kind} ${r.id}`)
      .sort();
  }
}

function parseLine(line: unknown): ManagedResource | undefined {
  if (typeof line !== 'string') return undefined;
  const space = line.indexOf(' ');
  if (space <= 0) return undefined;
  return { kind: line.slice(0, space) as ResourceKind, id: line.slice(space + 1) };
}

/** Reads the stack's record; a missing table or item is an empty set. */
export async function readManaged(engine: PipelineEngine, stack: string): Promise<ManagedSet> {
  try {
    const item = await engine.tables.getItem(STATE_TABLE, { stack });
    const lines = item?.resources;
    const resources = Array.isArray(lines) ? lines.map(parseLine).filter((r) => r !== undefined) : [];
    return new ManagedSet(resources);
  } catch (err) {
    if (isLambdaliteError(err, 'ResourceNotFoundException')) return new ManagedSet();
    throw err;
  }
}

/** Writes the stack's record when it differs from `before` (creating the table on first use). */
export async function writeManaged(
  engine: PipelineEngine,
  stack: string,
  before: ManagedSet,
  after: ManagedSet,
): Promise<void> {
  const lines = after.lines();
  if (JSON.stringify(lines) === JSON.stringify(before.lines())) return;
  const tables = await engine.tables.list();
  if (!tables.includes(STATE_TABLE)) {
    if (lines.length === 0) return;
    await engine.tables.create(STATE_TABLE, { partitionKey: 'stack' });
  }
  if (lines.length === 0) await engine.tables.deleteItem(STATE_TABLE, { stack });
  else await engine.tables.putItem(STATE_TABLE, { stack, resources: lines });
}
