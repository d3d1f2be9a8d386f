/**
 * CSV exports of the lists: `?format=csv` on a list route streams every row
 * matching the list's filters (its limit and offset do not apply), read from
 * the store a page at a time, as RFC 4180 text with a header row. Cells that
 * a spreadsheet would run as a formula (leading =, +, -, @, tab or carriage
 * return, also after leading white space) are prefixed with an apostrophe.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * What a spreadsheet may run as a formula: a leading =, +, -, @, tab or carriage return, also
 * after leading white space (spreadsheets skip it: " =1+2" is a formula too).
 */
const FORMULA = /^\s*[=+\-@]|^[\t\r]/;

/** One CSV cell: quoted when needed, never a formula. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  const safe = FORMULA.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** Column header → the cell of a row. */
export type CsvColumns<T> = Readonly<Record<string, (row: T) => unknown>>;

/** Columns that are the row's fields as they are, each headed by its name in snake_case (hostId → host_id). */
export function fieldColumns<T>(fields: readonly (keyof T & string)[]): CsvColumns<T> {
  return Object.fromEntries(
    fields.map((f) => [f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), (row: T) => row[f]]),
  );
}

/** Fetches one page of the list as its JSON route would answer it. */
export type PageOf<T> = (offset: number, limit: number) => Promise<{ items: T[]; total: number }>;

/**
 * A list's rows a batch at a time, each batch starting after the last row of the one before (keyset):
 * every batch costs what the first does, where an offset page costs more the deeper it is.
 */
export type Batches<T> = AsyncIterable<readonly T[]>;

/** Rows per page or batch an export reads. */
export const CSV_PAGE = 1000;

/**
 * The CSV text of every row `rows` gives (offset pages, or keyset batches), a page at a time
 * (exported for its test).
 */
export async function* csvLines<T>(
  columns: CsvColumns<T>,
  rows: PageOf<T> | Batches<T>,
): AsyncGenerator<string> {
  const cols = Object.values(columns);
  yield csvLine(Object.keys(columns));
  if (typeof rows !== 'function') {
    for await (const batch of rows) {
      if (batch.length > 0) yield batch.map((row) => csvLine(cols.map((c) => c(row)))).join('');
    }
    return;
  }
  const page = rows;
  for (let offset = 0; ; offset += CSV_PAGE) {
    const r = await page(offset, CSV_PAGE);
    if (r.items.length > 0) yield r.items.map((row) => csvLine(cols.map((c) => c(row)))).join('');
    if (r.items.length < CSV_PAGE || offset + CSV_PAGE >= r.total) return;
  }
}

/** Sends every row of a list as `<name>.csv`, streamed. */
export function sendCsv<T>(
  reply: FastifyReply,
  name: string,
  columns: CsvColumns<T>,
  rows: PageOf<T> | Batches<T>,
): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(Readable.from(csvLines(columns, rows)));
}
