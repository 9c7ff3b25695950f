// Formatting for the CLI's human output. JSON output is the service objects as they are.

/** A compact, left-aligned table with an upper-case header; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)];
}

/** `label: value` lines with the values aligned; a list value continues on the following lines. */
export function fields(entries: [string, string | string[] | null | undefined][]): string[] {
  const width = Math.max(...entries.map(([label]) => label.length)) + 2;
  const lines: string[] = [];
  for (const [label, value] of entries) {
    const values = Array.isArray(value) ? (value.length ? value : ['-']) : [value ?? '-'];
    values.forEach((v, i) => lines.push(`${i === 0 ? `${label}:`.padEnd(width) : ' '.repeat(width)}${v}`));
  }
  return lines;
}

/** ISO timestamps without milliseconds, `-` for none: short enough for a table. */
export function when(iso: string | Date | null | undefined): string {
  if (!iso) return '-';
  const text = typeof iso === 'string' ? iso : iso.toISOString();
  return text.replace(/\.\d{3}Z$/, 'Z');
}

/** Any error as one line for `sesame: <reason>`: no stack, no line breaks, never empty. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof AggregateError && !error.message && error.errors.length > 0) {
    text = describeError(error.errors[0]);
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    text = error.message || (typeof code === 'string' ? code : '') || error.name;
  } else {
    text = String(error);
  }
  const line = text.replace(/\s+/g, ' ').trim() || 'unknown error';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
