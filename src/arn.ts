/**
 * ARN building and parsing: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * S3 ARNs carry no region or account; IAM ARNs carry no region.
 */
import { LambdaliteError } from './errors.js';

/** A function's name as Lambda allows it (the name alone, not an ARN or a qualified name). */
export const FUNCTION_NAME_CHARS = '[a-zA-Z0-9_-]{1,64}';
export const FUNCTION_NAME = new RegExp(`^${FUNCTION_NAME_CHARS}$`);

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.accountId}:${arn.resource}`;
}

/** Parses an ARN; the resource part keeps any further colons (`function:name:qualifier`). */
export function parseArn(text: string): Arn {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !parts[1] || !parts[2]) {
    throw new LambdaliteError(
      'InvalidArgument',
      `'${text}' is not a valid ARN (arn:partition:service:region:account:resource)`,
    );
  }
  const [, partition, service, region, accountId, ...rest] = parts as [
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  return { partition, service, region, accountId, resource: rest.join(':') };
}

/** Parses without throwing; undefined when the text is not an ARN. */
export function tryParseArn(text: string): Arn | undefined {
  try {
    return parseArn(text);
  } catch {
    return undefined;
  }
}

/**
 * The function name in a Lambda function ARN (qualified or not); any other text is returned
 * as it is, to be validated as a plain name by the caller.
 */
export function functionNameOfArn(text: string): string {
  const arn = tryParseArn(text);
  if (arn?.service !== 'lambda') return text;
  const [kind, name] = arn.resource.split(':');
  return kind === 'function' && name !== undefined ? name : text;
}

/** ARN builders bound to one engine's partition, region and account. */
export class Arns {
  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly partition = 'aws',
  ) {}

  bucket(name: string): string {
    return `arn:${this.partition}:s3:::${name}`;
  }
  object(bucket: string, key: string): string {
    return `arn:${this.partition}:s3:::${bucket}/${key}`;
  }
  stream(name: string): string {
    return `arn:${this.partition}:kinesis:${this.region}:${this.accountId}:stream/${name}`;
  }
  table(name: string): string {
    return `arn:${this.partition}:dynamodb:${this.region}:${this.accountId}:table/${name}`;
  }
  tableStream(table: string, label: string): string {
    return `${this.table(table)}/stream/${label}`;
  }
  function(name: string, qualifier?: string): string {
    const base = `arn:${this.partition}:lambda:${this.region}:${this.accountId}:function:${name}`;
    return qualifier === undefined ? base : `${base}:${qualifier}`;
  }
  role(name: string, path = '/'): string {
    return `arn:${this.partition}:iam::${this.accountId}:role${path}${name}`;
  }
  logGroup(name: string): string {
    return `arn:${this.partition}:logs:${this.region}:${this.accountId}:log-group:${name}:*`;
  }
  eventSourceMapping(uuid: string): string {
    return `arn:${this.partition}:lambda:${this.region}:${this.accountId}:event-source-mapping:${uuid}`;
  }
}
