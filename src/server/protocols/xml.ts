/**
 * A small XML writer (element order matters to S3 and the query protocol, so replies are built
 * as ordered trees) and the parser for request bodies.
 */
import { XMLParser } from 'fast-xml-parser';

/** An element: its name and its content; undefined content omits the element. */
export type XmlNode = readonly [name: string, content: XmlContent];
export type XmlContent = string | number | boolean | undefined | null | readonly XmlNode[];

const ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
});

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(node: XmlNode, out: string[]): void {
  const [name, content] = node;
  if (content === undefined || content === null) return;
  if (typeof content === 'object') {
    out.push(`<${name}>`);
    for (const child of content) render(child, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(content))}</${name}>`);
}

/** A document with the XML declaration; `xmlns` goes on the root element. */
export function xmlDocument(root: XmlNode, xmlns?: string): string {
  const out: string[] = [];
  render(root, out);
  const body = out.join('');
  const open = `<${root[0]}>`;
  const withNs = xmlns === undefined ? body : `<${root[0]} xmlns="${xmlns}">${body.slice(open.length)}`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${withNs}`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
});

/** A parsed XML body: elements as nested records, text as strings. Throws on malformed XML. */
export function parseXml(body: Buffer | string): unknown {
  return parser.parse(body.toString(), true);
}

/** A child element as a list, whether the document held none, one or several. */
export function xmlList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** A child element's text, or undefined. */
export function xmlText(parent: unknown, name: string): string | undefined {
  if (typeof parent !== 'object' || parent === null) return undefined;
  const value = (parent as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** A child element (object), or undefined. */
export function xmlChild(parent: unknown, name: string): unknown {
  if (typeof parent !== 'object' || parent === null) return undefined;
  return Object.hasOwn(parent, name) ? (parent as Record<string, unknown>)[name] : undefined;
}
