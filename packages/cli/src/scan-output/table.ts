/**
 * `--format table`: what a person reads in a terminal. A header (host OS,
 * the releases it was matched as, end-of-life status), one row per finding
 * in the report's order, and a summary line.
 *
 * - Colour only with `color: true` (the caller decides: a TTY and no
 *   NO_COLOR), and only on the severity, the KEV flag and the end-of-life
 *   status, in the terminal's own red/yellow/cyan/green (never dim or dark
 *   blue, which are unreadable on dark backgrounds).
 * - Every cell is cleaned of control characters first: package names and
 *   explanations come from inventories and feeds, and an escape sequence in
 *   one must not reach the terminal.
 * - Long cells are cut to a column's maximum width with '…'; columns are as
 *   wide as their widest cell up to that maximum; no trailing spaces.
 */
import type { Finding, ScanReport } from '@patchloop/core';
import { SEVERITY_ORDER, severityOf, type SeverityLabel } from './severity.js';
import type { ScanOutputOptions } from './tool.js';

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const STYLE = {
  bold: '1',
  red: '31',
  boldRed: '1;31',
  yellow: '33',
  cyan: '36',
  green: '32',
} as const;

const SEVERITY_STYLE: Readonly<Record<SeverityLabel, keyof typeof STYLE | null>> = {
  critical: 'boldRed',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  none: null,
  unknown: null,
};

const EOL_LABEL: Readonly<Record<ScanReport['host']['eol']['status'], [string, keyof typeof STYLE | null]>> =
  {
    supported: ['supported', 'green'],
    'eol-within-90-days': ['ends within 90 days', 'yellow'],
    'security-support-ended': ['security support ended', 'yellow'],
    eol: ['END OF LIFE', 'boldRed'],
    unknown: ['unknown', null],
  };

/** Column maximum widths (characters); a longer cell is cut with '…'. */
export const COLUMN_MAX = {
  severity: 8,
  package: 30,
  installed: 28,
  fixed: 28,
  advisory: 24,
  cves: 22,
  kev: 3,
  epss: 6,
} as const;

// C0 and C1 control characters, DEL, and bidirectional overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), which could make a cell read as something else.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The cell's text with control characters (escape sequences, newlines, tabs) shown as '?'. */
export function clean(s: string): string {
  return s.replace(CONTROL, '?');
}

/** Cuts `s` to `max` characters (code points), the last one '…' when cut. */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const width = (s: string) => [...s].length;

/** "CVE-2024-0001 +1": the first CVE alias and how many more. */
export function cveCell(f: Finding): string {
  const ids = [f.advisory.id, ...f.advisory.aliases].filter((a) => a.startsWith('CVE-'));
  const cves = [...new Set(ids)];
  if (cves.length === 0) return '';
  return cves.length === 1 ? (cves[0] as string) : `${cves[0]} +${cves.length - 1}`;
}

/** EPSS probability as a percentage: "97.1%", "0.04%". */
export function epssCell(f: Finding): string {
  if (f.epss === null) return '';
  const pct = f.epss.score * 100;
  return `${pct >= 1 ? pct.toFixed(1) : pct.toFixed(2)}%`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

interface Cell {
  readonly text: string;
  readonly style: keyof typeof STYLE | null;
}

export function formatTable(report: ScanReport, options: ScanOutputOptions = {}): string {
  const color = options.color === true;
  const paint = (text: string, style: keyof typeof STYLE | null) =>
    color && style !== null && text !== '' ? `${ESC}${STYLE[style]}m${text}${RESET}` : text;
  const lines: string[] = [];

  const { host, summary } = report;
  const os = host.os;
  const osText =
    os === null
      ? 'unknown OS'
      : os.prettyName !== null && os.prettyName !== ''
        ? `${os.prettyName} (${os.id} ${os.versionId})`
        : `${os.id} ${os.versionId}${os.codename !== null ? ` (${os.codename})` : ''}`;
  const matched =
    host.matchedAs === null
      ? 'not matched'
      : `${host.matchedAs.ecosystem} ${[...new Set(host.matchedAs.releases)].join(', ')}`.trim();
  const [eolLabel, eolStyle] = EOL_LABEL[host.eol.status];
  lines.push(`${paint('Host:', 'bold')}        ${clean(osText)}`);
  lines.push(`${paint('Matched as:', 'bold')}  ${clean(matched)}`);
  lines.push(`${paint('End of life:', 'bold')} ${paint(eolLabel, eolStyle)}: ${clean(host.eol.explanation)}`);
  lines.push(`${paint('Scanned at:', 'bold')}  ${clean(report.scannedAt)}`);
  lines.push('');

  if (report.findings.length === 0) {
    lines.push(`No known vulnerabilities in ${plural(summary.packages, 'package', 'packages')}.`);
  } else {
    const header: readonly string[] = [
      'SEVERITY',
      'PACKAGE',
      'INSTALLED',
      'FIXED',
      'ADVISORY',
      'CVE',
      'KEV',
      'EPSS',
    ];
    const max = Object.values(COLUMN_MAX);
    const rows: Cell[][] = report.findings.map((f) => {
      const sev = severityOf(f);
      const cells: [string, keyof typeof STYLE | null][] = [
        [sev, SEVERITY_STYLE[sev]],
        [f.package, null],
        [f.installedVersion, null],
        [f.fixedVersion ?? '(no fix)', null],
        [f.advisory.id, null],
        [cveCell(f), null],
        [f.kev !== null ? 'KEV' : '', 'boldRed'],
        [epssCell(f), null],
      ];
      return cells.map(([text, style], i) => ({ text: truncate(clean(text), max[i] ?? 20), style }));
    });
    const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]?.text ?? ''))));
    const render = (cells: readonly Cell[]) =>
      cells
        .map((c, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - width(c.text));
          return i === cells.length - 1 ? paint(c.text, c.style) : paint(c.text, c.style) + pad;
        })
        .join('  ')
        .trimEnd();
    lines.push(paint(render(header.map((text) => ({ text, style: null }))), 'bold'));
    for (const row of rows) lines.push(render(row));
    lines.push('');
    lines.push(
      `${plural(summary.findings, 'finding', 'findings')} (${summary.fixable} fixable, ${summary.unfixed} unfixed, ` +
        `${summary.kev} known exploited) in ${plural(summary.packages, 'package', 'packages')}`,
    );
    const bySeverity = SEVERITY_ORDER.filter((s) => (summary.bySeverity[s] ?? 0) > 0).map((s) =>
      paint(`${s} ${summary.bySeverity[s]}`, SEVERITY_STYLE[s]),
    );
    if (bySeverity.length > 0) lines.push(`By severity: ${bySeverity.join(', ')}`);
  }
  if (summary.thirdParty > 0) {
    lines.push(
      `${plural(summary.thirdParty, 'package', 'packages')} not from the distribution ` +
        `(third-party) not matched against its advisories.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
