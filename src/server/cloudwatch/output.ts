/**
 * CloudWatch's replies, built once per operation as a protocol-neutral tree and written either
 * as awsJson (timestamps in epoch seconds, maps as objects) or as query-protocol XML (lists as
 * `<member>`, maps as `<entry><key/><value/></entry>`, timestamps in ISO 8601).
 */
import type { XmlNode } from '../protocols/xml.js';

export type OutputValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | readonly OutputValue[]
  /** A map whose keys come from the caller (percentile names): never a plain object. */
  | ReadonlyMap<string, OutputValue>
  | OutputStruct;

export interface OutputStruct {
  readonly [member: string]: OutputValue;
}

export function toJson(value: OutputValue): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]: [string, OutputValue]) => [k, toJson(v)]));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value as OutputStruct).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function toXml(name: string, value: OutputValue): XmlNode {
  if (value instanceof Date) return [name, isoSeconds(value)];
  if (Array.isArray(value)) return [name, value.map((v: OutputValue) => toXml('member', v))];
  if (value instanceof Map) {
    return [
      name,
      [...value].map(([k, v]: [string, OutputValue]): XmlNode => ['entry', [['key', k], toXml('value', v)]]),
    ];
  }
  if (typeof value === 'object' && value !== null) {
    return [name, Object.entries(value as OutputStruct).map(([k, v]) => toXml(k, v))];
  }
  return [name, value];
}

/** The members of a result structure as the children of `<OperationResult>`. */
export function resultXml(result: OutputStruct): XmlNode[] {
  return Object.entries(result).map(([k, v]) => toXml(k, v));
}
