/**
 * Debian security tracker DSA/DLA lists → advisories. Pure: text in, `ParseResult` out.
 *
 * Mapping (one Advisory per list entry, in file order):
 * - id as written, including the old ids without a `-n` revision (`DSA-135`); source `debian-dsa`
 *   or `debian-dla`; an entry whose id has the other prefix, or repeats an earlier id, is reported
 *   (PL_FEED_SCHEMA_INVALID) and skipped.
 * - aliases: the CVE ids of the `{…}` lines, unique, ordered by year and number.
 * - published = modified = the header date as YYYY-MM-DD (the list has no modification date).
 * - summary: `pkg - title`, from the header; the header's package part is taken as written
 *   (`drbd8 linux-modules-extra-2.6`), `--` and a leading `- ` are normalized away, and a header
 *   without a package (` - several vulnerabilities`) takes the packages of its release lines.
 *   Announcements with no package keep their text (`jessie end-of-life`).
 * - details: the `NOTE:` lines, then the notes of release lines (`[sarge] awstats: bug #365910`).
 * - affected: one entry per `[release] - srcpkg …` line, ecosystem `Debian`, release = codename as
 *   written, packageKind `source`:
 *     version        → fixed, range introduced 0 / fixed v, fixedVersion v
 *     <unfixed>      → unfixed, range introduced 0 (also <no-dsa>, <ignored>, <postponed>, which
 *                      mean "affected, no fix" in the tracker; none occur in the DSA/DLA lists)
 *     <end-of-life>  → end-of-life, range introduced 0 (affected, the release gets no fix)
 *     <not-affected> → not-affected, no range
 *   A release-line note made of `low`/`medium`/`high` (old entries: `(bug #1234; medium)`) sets
 *   the package's severity. A version dpkg would reject (core's debian scheme) is reported as
 *   PL_FEED_VERSION_INVALID and that line skipped; an unknown `<status>` as PL_FEED_LINE_INVALID.
 * - Entries without release lines (announcements, end-of-life notices, advisories whose fix is
 *   only described in a NOTE) are kept with `affected: []`: they are real advisories that people
 *   look up by id and that carry CVE aliases, but they name no fixed version, so they never match
 *   a package on their own. NOTE lines that look like release lines (`NOTE: [etch] - clamav
 *   <end-of-life>`) are commentary in the tracker and stay commentary here.
 * - url and the one ADVISORY reference: https://security-tracker.debian.org/tracker/<id>.
 */
import {
  schemeFor,
  type AffectedPackage,
  type Advisory,
  type ParseResult,
  type Severity,
} from '@patchloop/core';
import { splitList, type LineError } from './lines.js';
import type { RawListEntry, RawReleaseLine } from './raw.js';

export type DebianListSource = 'debian-dsa' | 'debian-dla';

const PREFIX: Readonly<Record<DebianListSource, string>> = { 'debian-dsa': 'DSA-', 'debian-dla': 'DLA-' };
const TRACKER_URL = 'https://security-tracker.debian.org/tracker/';
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const CVE_ID = /^CVE-(\d{4})-(\d+)$/;
const SEVERITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high']);
const AFFECTED_STATUSES: Readonly<Record<string, AffectedPackage['status']>> = {
  unfixed: 'unfixed',
  'no-dsa': 'unfixed',
  ignored: 'unfixed',
  postponed: 'unfixed',
  'end-of-life': 'end-of-life',
  'not-affected': 'not-affected',
};

const debianVersions = schemeFor('debian');

/** Parses a tracker list (`data/DSA/list` or `data/DLA/list`). */
export function parseDebianList(text: string, file: string, source: DebianListSource): ParseResult<Advisory> {
  const { entries, errors } = splitList(text, file);
  const records: Advisory[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = entryProblem(entry, source, seen);
    if (problem !== null) {
      const error = { file, record: entry.id, code: 'PL_FEED_SCHEMA_INVALID' as const, reason: problem };
      errors.push({ line: entry.line, error });
      continue;
    }
    seen.add(entry.id);
    records.push(toAdvisory(entry, source, file, errors));
  }
  // Errors in line order (the sort is stable; line-level and entry-level reports interleave).
  return { records, errors: errors.sort((a, b) => a.line - b.line).map((e) => e.error) };
}

function entryProblem(
  entry: RawListEntry,
  source: DebianListSource,
  seen: ReadonlySet<string>,
): string | null {
  if (!entry.id.startsWith(PREFIX[source])) {
    return `line ${entry.line}: ${entry.id} does not belong in a ${source} list`;
  }
  if (seen.has(entry.id)) return `line ${entry.line}: ${entry.id} appears a second time`;
  if (isoDate(entry.date) === null) return `line ${entry.line}: invalid date ${JSON.stringify(entry.date)}`;
  return null;
}

/** `29 Mar 2023` → `2023-03-29`; null for anything that is not a calendar date. */
export function isoDate(date: string): string | null {
  const m = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$/.exec(date);
  if (m === null) return null;
  const day = Number(m[1]);
  const month = MONTHS[(m[2] as string).toLowerCase()];
  const year = Number(m[3]);
  if (month === undefined || day < 1 || day > daysInMonth(year, month)) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function toAdvisory(
  entry: RawListEntry,
  source: DebianListSource,
  file: string,
  errors: LineError[],
): Advisory {
  const date = isoDate(entry.date);
  const affected: AffectedPackage[] = [];
  const details = [...entry.notes];
  for (const line of entry.releases) {
    const result = toAffected(line);
    if (typeof result === 'string') {
      const code = line.version !== null ? 'PL_FEED_VERSION_INVALID' : 'PL_FEED_LINE_INVALID';
      errors.push({
        line: line.line,
        error: { file, record: entry.id, code, reason: `line ${line.line}: ${result}` },
      });
      continue;
    }
    affected.push(result.affected);
    if (result.note !== null) details.push(`[${line.release}] ${line.package}: ${result.note}`);
  }
  const url = TRACKER_URL + entry.id;
  return {
    id: entry.id,
    source,
    aliases: sortCves(entry.cves),
    related: [],
    published: date,
    modified: date,
    withdrawn: null,
    summary: summaryOf(entry.header, entry.releases),
    details: details.join('\n'),
    classification: 'security',
    severity: null,
    affected,
    references: [{ type: 'ADVISORY', url }],
    url,
  };
}

interface ReleaseResult {
  readonly affected: AffectedPackage;
  /** The note left after taking the severity out of it, for `details`. */
  readonly note: string | null;
}

function toAffected(line: RawReleaseLine): ReleaseResult | string {
  const { severity, note } = splitNote(line.note);
  const base = {
    ecosystem: 'Debian',
    release: line.release,
    package: line.package,
    packageKind: 'source' as const,
    versions: [],
    severity,
  };
  if (line.version !== null) {
    const invalid = debianVersions.validate(line.version);
    if (invalid !== null)
      return `invalid fixed version ${JSON.stringify(line.version)} for ${line.package}: ${invalid}`;
    const events = [{ introduced: '0' }, { fixed: line.version }];
    return {
      affected: {
        ...base,
        status: 'fixed',
        ranges: [{ type: 'ECOSYSTEM', events }],
        fixedVersion: line.version,
      },
      note,
    };
  }
  const statusName = line.status ?? '';
  const status = AFFECTED_STATUSES[statusName];
  if (status === undefined) return `unknown status <${statusName}> for ${line.package} in ${line.release}`;
  const ranges =
    status === 'not-affected' ? [] : [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }] }];
  const kept = status === 'unfixed' && statusName !== 'unfixed' ? `<${statusName}>` : null;
  return {
    affected: { ...base, status, ranges, fixedVersion: null },
    note: [kept, note].filter((s) => s !== null).join(' ') || null,
  };
}

/** `bug #322591; medium` → severity medium, note `bug #322591`. */
function splitNote(note: string | null): { severity: Severity | null; note: string | null } {
  if (note === null) return { severity: null, note: null };
  let severity: Severity | null = null;
  const rest: string[] = [];
  for (const part of note.split(';')) {
    const p = part.trim();
    if (SEVERITIES.has(p)) severity = p as Severity;
    else if (p !== '') rest.push(p);
  }
  return { severity, note: rest.length === 0 ? null : rest.join('; ') };
}

/**
 * The header's `pkg - title`, normalized: `pkg -- title` and `- pkg - title` become `pkg - title`;
 * a header without a package part takes the release lines' packages; `pkg title` (no dash, early
 * 2008) stays as written.
 */
export function summaryOf(header: string, releases: readonly RawReleaseLine[]): string {
  const dashFirst = /^-(\s|$)/.test(header);
  const text = dashFirst ? header.replace(/^-\s*/, '') : header;
  const sep = /\s+--?\s+/.exec(text);
  if (sep !== null) return `${text.slice(0, sep.index)} - ${text.slice(sep.index + sep[0].length)}`;
  if (!dashFirst && text !== '') return text;
  return [releasePackages(releases), text].filter((s) => s !== '').join(' - ');
}

function releasePackages(releases: readonly RawReleaseLine[]): string {
  return [...new Set(releases.map((r) => r.package))].join(' ');
}

function sortCves(cves: readonly string[]): string[] {
  return [...new Set(cves)].sort(compareCveIds);
}

/** CVE ids by year, then number (CVE-2023-999 before CVE-2023-1000). */
export function compareCveIds(a: string, b: string): number {
  const ma = CVE_ID.exec(a);
  const mb = CVE_ID.exec(b);
  if (ma === null || mb === null) return a < b ? -1 : a > b ? 1 : 0;
  return Number(ma[1]) - Number(mb[1]) || Number(ma[2]) - Number(mb[2]);
}
