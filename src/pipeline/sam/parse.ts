/**
 * YAML templates with CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub '...'`,
 * `!Join [',', [...]]`, ...), each turned into its long form (`{ Ref: X }`,
 * `{ 'Fn::GetAtt': ['A', 'B'] }`) so the translator sees one shape. Tags of intrinsics the
 * translator does not support still parse, and are then reported by name.
 */
import { type CollectionTag, parseDocument, type ScalarTag } from 'yaml';
import { PipelineError } from '../errors.js';

const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Base64',
  'Cidr',
  'GetAZs',
  'ImportValue',
  'Transform',
  'ToJsonString',
  'Length',
];

const longName = (name: string): string => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

function one(key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  out[key] = value;
  return out;
}

const TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => {
  const key = longName(name);
  return [
    {
      tag: `!${name}`,
      resolve: (text: string) => one(key, name === 'GetAtt' ? splitGetAtt(text) : text),
    },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => one(key, seq.toJSON()) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => one(key, map.toJSON()) },
  ];
});

/** `!GetAtt Table.StreamArn` -> ['Table', 'StreamArn'] (the attribute may itself hold dots). */
function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** Parses a template's text (YAML or JSON, which is YAML); errors name the file, line and column. */
export function parseTemplateText(text: string, file: string | undefined): unknown {
  const doc = parseDocument(text, { customTags: TAGS, prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new PipelineError(problems.map((p) => ({ file, message: p.message.split('\n')[0] ?? p.message })));
  }
  return doc.toJS({ maxAliasCount: 100 });
}
