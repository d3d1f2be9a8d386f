/**
 * `--format csv`: one row per finding, RFC 4180.
 *
 * - Records end with CRLF (the last one too); a field is quoted when it
 *   holds a comma, a double quote, CR or LF, and a double quote inside is
 *   doubled.
 * - Formula (CSV) injection guard (OWASP): spreadsheets run a cell that
 *   starts with `=`, `+`, `-` or `@` (and some a tab or CR) as a formula, and
 *   package names, versions and explanations come from inventories and feeds.
 *   Such a cell gets a leading `'`, which spreadsheets show as text; other
 *   readers see the `'` in the value. No value Patchloop writes itself (numbers,
 *   dates, ids) starts with one of these characters.
 * - `aliases` is space-separated; `cvss` has one decimal; `epss` is the
 *   probability (0..1) as the feed gives it; `kev` is `true` or `false`.
 */
import type { Finding, ScanReport } from '@patchloop/core';
import { formatCvss } from './severity.js';

export const CSV_COLUMNS = [
  'package',
  'source_package',
  'installed_version',
  'fixed_version',
  'status',
  'advisory',
  'aliases',
  'source',
  'severity',
  'cvss',
  'kev',
  'kev_due_date',
  'epss',
  'release',
  'explanation',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: the formula guard, then RFC 4180 quoting. */
export function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function row(f: Finding): Record<(typeof CSV_COLUMNS)[number], string> {
  return {
    package: f.package,
    source_package: f.sourcePackage,
    installed_version: f.installedVersion,
    fixed_version: f.fixedVersion ?? '',
    status: f.status,
    advisory: f.advisory.id,
    aliases: f.advisory.aliases.join(' '),
    source: f.advisory.source,
    severity: f.severity ?? '',
    cvss: f.cvss ? formatCvss(f.cvss.score) : '',
    kev: f.kev ? 'true' : 'false',
    kev_due_date: f.kev?.dueDate ?? '',
    epss: f.epss ? String(f.epss.score) : '',
    release: f.release ?? '',
    explanation: f.explanation,
  };
}

export function formatCsv(report: ScanReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of report.findings) {
    const r = row(f);
    lines.push(CSV_COLUMNS.map((c) => csvField(r[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
