/** What every S3 operation receives, and the reply helpers S3's REST-XML protocol needs. */
import type { Engine } from '../../engine.js';
import { parseXml, type XmlNode, xmlDocument } from '../protocols/xml.js';
import type { WireRequest, WireResponse } from '../wire.js';
import { WireError } from '../wire-error.js';
import { objectPayload } from './payload.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Call {
  readonly engine: Engine;
  readonly req: WireRequest;
  /** Decoded from the path (path-style addressing). */
  readonly bucket: string;
  /** Decoded; '' for bucket operations. */
  readonly key: string;
}

export type S3Operation = (call: S3Call) => Promise<WireResponse>;

export function xmlReply(root: XmlNode, status = 200, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml', ...headers },
    body: xmlDocument(root, S3_XMLNS),
  };
}

export function empty(status: number, headers: Record<string, string> = {}): WireResponse {
  return { status, headers };
}

/** ETags travel quoted on the wire; the engine keeps them bare. */
export function quoted(eTag: string): string {
  return `"${eTag}"`;
}

/** S3's XML timestamps: ISO-8601 with milliseconds. */
export function isoTime(date: Date): string {
  return date.toISOString();
}

/** Confirms the bucket exists through the engine's own check (an empty listing). */
export async function assertBucket(engine: Engine, bucket: string): Promise<void> {
  await engine.buckets.listObjects(bucket, { maxKeys: 0 });
}

/** A request's XML body (checksums verified), or S3's MalformedXML. */
export function xmlBody(req: WireRequest): unknown {
  const body = objectPayload(req);
  try {
    return parseXml(body);
  } catch {
    throw new WireError(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  }
}
