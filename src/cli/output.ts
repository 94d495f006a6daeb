/** What commands print: JSON for scripts (`--json`), readable tables otherwise, colour only on a TTY. */
import Table from 'cli-table3';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | undefined;
}

/** Colour when stdout is a terminal and NO_COLOR is not set (no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '';
}

function sgr(code: number, stream: NodeJS.WriteStream): (text: string) => string {
  return (text) => (useColour(stream) ? `\u001b[${code}m${text}\u001b[0m` : text);
}

export const paint = {
  bold: sgr(1, process.stdout),
  dim: sgr(2, process.stdout),
  red: sgr(31, process.stdout),
  green: sgr(32, process.stdout),
  yellow: sgr(33, process.stdout),
  cyan: sgr(36, process.stdout),
  errorRed: sgr(31, process.stderr),
};

const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return paint.dim('(none)');
  const table = new Table({
    head: columns.map((c) => c.header),
    chars: PLAIN_CHARS,
    style: { head: useColour() ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) {
    table.push(
      columns.map((c) => {
        const v = c.value(row);
        return v === undefined ? '-' : String(v);
      }),
    );
  }
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as a table, or the raw value as JSON with `--json`. */
export function show<T>(rows: readonly T[], columns: readonly Column<T>[], json: boolean | undefined): void {
  if (json === true) printJson(rows);
  else print(formatTable(rows, columns));
}
