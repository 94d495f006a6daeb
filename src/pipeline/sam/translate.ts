import type { SamTemplate } from '../types.js';

export interface TranslateOptions {
  readonly file: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  readonly parameters: Readonly<Record<string, string | number | readonly string[]>>;
}

export function translateTemplate(
  _template: SamTemplate,
  _options: TranslateOptions,
): { spec: unknown; origins: ReadonlyMap<object, string> } {
  throw new Error('todo');
}
