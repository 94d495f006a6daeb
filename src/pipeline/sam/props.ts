/** Typed reads of a template's resolved properties, each problem reported with its path. */
import { show } from '../errors.js';
import type { At } from './intrinsics.js';

export type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);

/** Typed reads of a resolved properties object; each problem is reported with its path. */
export class Props {
  constructor(
    readonly value: Obj,
    readonly at: At,
    readonly reporter: (at: At, message: string) => void,
  ) {}

  report(field: string, message: string): void {
    this.reporter({ resource: this.at.resource, field: `${this.at.field}.${field}` }, message);
  }

  allow(keys: readonly string[]): void {
    const known = new Set(keys);
    for (const key of Object.keys(this.value)) {
      if (!known.has(key)) this.report(key, `property ${key} is not supported`);
    }
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  str(key: string, required = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (required) this.report(key, 'is required');
      return undefined;
    }
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.report(key, `must be a string, got ${show(v)}`);
    return undefined;
  }

  /** A number, or a numeric string (what `Ref` to a Number parameter gives). */
  num(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    this.report(key, `must be a number, got ${show(v)}`);
    return undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    this.report(key, `must be true or false, got ${show(v)}`);
    return undefined;
  }

  /** A nested object as Props (`value` given for list items); undefined and reported if not an object. */
  sub(key: string, value: unknown = this.raw(key)): Props | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      this.report(key, `must be an object, got ${show(value)}`);
      return undefined;
    }
    return new Props(value, { resource: this.at.resource, field: `${this.at.field}.${key}` }, this.reporter);
  }
}
