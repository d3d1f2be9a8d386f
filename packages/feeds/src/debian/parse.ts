/**
 * Debian security tracker DSA/DLA lists → advisories. Pure: text in, `ParseResult` out.
 *
 * Mapping (one Advisory per list entry, in file order):
 * - id as written, including the old ids without a `-n` revision (`DSA-135`); source `debian-dsa`
 *   or `debian-dla`.
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
 *   the package's severity.
 * - Entries without release lines (announcements, end-of-life notices, advisories whose fix is
 *   only described in a NOTE) are kept with `affected: []`: they are real advisories that people
 *   look up by id and that carry CVE aliases, but they name no fixed version, so they never match
 *   a package on their own. NOTE lines that look like release lines (`NOTE: [etch] - clamav
 *   <end-of-life>`) are commentary in the tracker and stay commentary here.
 * - url and the one ADVISORY reference: https://security-tracker.debian.org/tracker/<id>.
 *
 * An entry is stored whole or not at all: an entry with any problem is skipped and reported once
 * (record = its id; code = that of its first problem; reason = every problem, `line N: …`, joined
 * by "; "). Problems: an id with the other list's prefix, or one that repeats an earlier entry's
 * (also when that entry was skipped), or an invalid date (PL_FEED_SCHEMA_INVALID); a fixed version
 * dpkg would reject (core's debian scheme; PL_FEED_VERSION_INVALID, as DSA-423, whose line names
 * the package where the version belongs); an unknown `<status>` or any body line that does not
 * parse (PL_FEED_LINE_INVALID, lines.ts). Keeping the rest of such an entry would store an advisory
 * that silently lost a fix, a CVE or a note the list gives it. Reports come in line order (of the
 * first problem), with the lines that belong to no entry among them. None is a warning.
 */
import {
  schemeFor,
  type AffectedPackage,
  type Advisory,
  type ParseResult,
  type Severity,
} from '@patchloop/core';
import { compareIds, isIsoDate } from '../record/index.js';
import { splitList, type LineProblem } from './lines.js';
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
  for (const { entry, problems: lineProblems } of entries) {
    const header = headerProblem(entry, source, seen);
    if (entry.id.startsWith(PREFIX[source])) seen.add(entry.id);
    const read = readEntry(entry);
    const problems = [...(header === null ? [] : [header]), ...lineProblems, ...read.problems].sort(
      (a, b) => a.line - b.line,
    );
    const first = problems[0];
    if (first === undefined) {
      records.push(toAdvisory(entry, source, read));
      continue;
    }
    const reason = problems.map((p) => `line ${p.line}: ${p.reason}`).join('; ');
    errors.push({ line: first.line, error: { file, record: entry.id, code: first.code, reason } });
  }
  // Errors in line order (the sort is stable; lines outside entries and skipped entries interleave).
  return { records, errors: errors.sort((a, b) => a.line - b.line).map((e) => e.error) };
}

function headerProblem(
  entry: RawListEntry,
  source: DebianListSource,
  seen: ReadonlySet<string>,
): LineProblem | null {
  const problem = (reason: string): LineProblem => ({
    line: entry.line,
    code: 'PL_FEED_SCHEMA_INVALID',
    reason,
  });
  if (!entry.id.startsWith(PREFIX[source])) return problem(`${entry.id} does not belong in a ${source} list`);
  if (seen.has(entry.id)) return problem(`${entry.id} appears a second time`);
  if (isoDate(entry.date) === null) return problem(`invalid date ${JSON.stringify(entry.date)}`);
  return null;
}

/** `29 Mar 2023` → `2023-03-29`; null for anything that is not a calendar date. */
export function isoDate(date: string): string | null {
  const m = /^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$/.exec(date);
  if (m === null) return null;
  const month = MONTHS[(m[2] as string).toLowerCase()];
  if (month === undefined) return null;
  const iso = `${m[3]}-${String(month).padStart(2, '0')}-${(m[1] as string).padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : null;
}

interface ReadEntry {
  readonly affected: AffectedPackage[];
  readonly details: string[];
  readonly problems: LineProblem[];
}

/** The affected packages and details of an entry's release lines, and the lines that are unusable. */
function readEntry(entry: RawListEntry): ReadEntry {
  const out: ReadEntry = { affected: [], details: [...entry.notes], problems: [] };
  for (const line of entry.releases) {
    const result = toAffected(line);
    if (typeof result === 'string') {
      const code = line.version !== null ? 'PL_FEED_VERSION_INVALID' : 'PL_FEED_LINE_INVALID';
      out.problems.push({ line: line.line, code, reason: result });
      continue;
    }
    out.affected.push(result.affected);
    if (result.note !== null) out.details.push(`[${line.release}] ${line.package}: ${result.note}`);
  }
  return out;
}

function toAdvisory(
  entry: RawListEntry,
  source: DebianListSource,
  { affected, details }: ReadEntry,
): Advisory {
  const date = isoDate(entry.date);
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
  return [...new Set(cves)].sort(compareIds);
}
