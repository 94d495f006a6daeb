/**
 * Errors of pipeline files and templates: every problem names the file, the resource and the
 * field, and all problems found in one pass are reported together (like CloudFormation's
 * "Template format error" ValidationError).
 */
import { type ErrorCode, isLambdaliteError, LambdaliteError } from '../errors.js';

export interface PipelineIssue {
  readonly file?: string;
  /** e.g. `functions[1] 'ingest'` or `IngestFunction (AWS::Serverless::Function)`. */
  readonly resource?: string;
  /** e.g. `memoryMb` or `Properties.Events.Upload.Properties.Bucket`. */
  readonly field?: string;
  readonly message: string;
}

export function formatIssue(issue: PipelineIssue): string {
  const where = [issue.file, issue.resource, issue.field].filter((p) => p !== undefined && p !== '');
  return where.length === 0 ? issue.message : `${where.join(': ')}: ${issue.message}`;
}

/** A pipeline file or template that cannot be applied; `issues` lists each problem. */
export class PipelineError extends LambdaliteError {
  readonly issues: readonly PipelineIssue[];

  constructor(issues: readonly PipelineIssue[], options: { cause?: unknown } = {}) {
    const lines = issues.map(formatIssue);
    super(
      'ValidationError',
      lines.length === 1 ? lines[0]! : `${lines.length} problems:\n  ${lines.join('\n  ')}`,
      options,
    );
    this.name = 'PipelineError';
    this.issues = issues;
  }
}

/** Collects issues during one pass; `throwIfAny` raises them together. */
export class IssueList {
  readonly #issues: PipelineIssue[] = [];
  constructor(readonly file: string | undefined) {}

  add(resource: string | undefined, field: string | undefined, message: string): void {
    this.#issues.push({ file: this.file, resource, field, message });
  }

  get size(): number {
    return this.#issues.length;
  }

  throwIfAny(): void {
    if (this.#issues.length > 0) throw new PipelineError(this.#issues);
  }
}

/**
 * An engine error raised while applying one resource, re-thrown with the resource named in
 * front and the engine's code kept.
 */
export function inResource(err: unknown, where: string): unknown {
  if (!isLambdaliteError(err)) return err;
  const code: ErrorCode = err.code;
  return new LambdaliteError(code, `${where}: ${err.message}`, { cause: err, statusCode: err.statusCode });
}

/** Renders a value for a message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
