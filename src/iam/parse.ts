/**
 * Policy grammar (reference §8.1): validates a document and compiles it for evaluation.
 * Anything malformed is refused with `MalformedPolicyDocument` naming the problem and the
 * statement. Parsed policies are cached by text (and by object identity), so evaluating the
 * same document on every call costs one lookup.
 */
import { isObject, malformed, StatementParser } from './statement.js';
import type { ParsedPolicy, PolicyInput, PolicyKind } from './types.js';

const VERSIONS = ['2012-10-17', '2008-10-17'] as const;
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);

function parseDocument(doc: unknown, kind: PolicyKind): ParsedPolicy {
  if (!isObject(doc)) malformed('the policy document must be a JSON object');
  for (const k of Object.keys(doc)) {
    if (!TOP_LEVEL.has(k)) malformed(`unknown top-level element '${k}' (expected Version, Id, Statement)`);
  }
  const rawVersion = doc['Version'] ?? '2008-10-17';
  if (!VERSIONS.includes(rawVersion as (typeof VERSIONS)[number])) {
    malformed(`Version must be '2012-10-17' or '2008-10-17', got ${JSON.stringify(rawVersion)}`);
  }
  const version = rawVersion as ParsedPolicy['version'];
  const id = doc['Id'];
  if (id !== undefined && typeof id !== 'string') malformed('Id must be a string');
  const raw = doc['Statement'];
  if (raw === undefined) malformed('missing Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) malformed('Statement must not be empty');
  const sids = new Set<string>();
  const statements = list.map((s, i) => {
    if (!isObject(s)) malformed(`statement ${i} must be an object`);
    const parsed = new StatementParser(s, i, kind, version === '2012-10-17').parse();
    if (parsed.sid !== undefined && parsed.sid !== '') {
      if (sids.has(parsed.sid)) malformed(`duplicate Sid "${parsed.sid}" in statement ${i}`);
      sids.add(parsed.sid);
    }
    return parsed;
  });
  return { version, id, kind, statements, document: doc };
}

const byText = new Map<string, ParsedPolicy>();
const TEXT_CACHE_MAX = 2_000;
const byObject = new WeakMap<object, Map<PolicyKind, ParsedPolicy>>();

/**
 * Validates and compiles a policy given as JSON text or as an object (objects are treated as
 * immutable once parsed). Throws `MalformedPolicyDocument`.
 */
export function parsePolicy(input: PolicyInput, kind: PolicyKind = 'identity'): ParsedPolicy {
  if (typeof input === 'string') {
    const key = `${kind}\u0000${input}`;
    const hit = byText.get(key);
    if (hit) return hit;
    let doc: unknown;
    try {
      doc = JSON.parse(input);
    } catch (err) {
      malformed(`the policy document is not valid JSON (${(err as Error).message})`);
    }
    const parsed = parseDocument(doc, kind);
    if (byText.size >= TEXT_CACHE_MAX) byText.clear();
    byText.set(key, parsed);
    return parsed;
  }
  if (!isObject(input)) malformed('the policy document must be a JSON object or JSON text');
  let perKind = byObject.get(input);
  const hit = perKind?.get(kind);
  if (hit) return hit;
  // A JSON round trip detaches the stored document from the caller's object.
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(input));
  } catch (err) {
    malformed(`the policy document cannot be serialised as JSON (${(err as Error).message})`);
  }
  const parsed = parseDocument(copy, kind);
  if (!perKind) {
    perKind = new Map();
    byObject.set(input, perKind);
  }
  perKind.set(kind, parsed);
  return parsed;
}
