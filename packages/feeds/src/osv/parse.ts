/**
 * OSV JSON → core Advisory. Pure: text in, records and per-record errors out.
 *
 * Input is one OSV record or a JSON array of records. A record is skipped, and
 * reported, when
 * - its JSON is invalid (PL_FEED_JSON_INVALID: the whole file, as nothing in
 *   it can be trusted),
 * - it lacks `id`/`modified` or a field has the wrong type (PL_FEED_SCHEMA_INVALID),
 * - a package's ecosystem has no version scheme (PL_FEED_ECOSYSTEM_UNKNOWN),
 * - a version in an ECOSYSTEM or SEMVER range is not valid for the scheme
 *   (PL_FEED_VERSION_INVALID). "0" (OSV's "since the beginning") is always
 *   valid; GIT ranges hold commits and are not checked.
 * The record is skipped whole: one bad package or range among good ones takes
 * the record with it, never stored without part of what it says. None of
 * these errors is a warning. The other records of an array are parsed as usual.
 *
 * Affected entries without `package` (OSV allows repository-only entries with
 * GIT ranges) name nothing an inventory can match and are left out.
 */
import {
  isPatchloopError,
  PatchloopError,
  schemeFor,
  type AffectedPackage,
  type AffectedRange,
  type Advisory,
  type Classification,
  type FeedErrorCode,
  type FeedRecordError,
  type ParseResult,
  type RangeEvent,
  type Severity,
  type VersionScheme,
} from '@patchloop/core';
import { isObject, jsonErrorLine, jsonSyntaxError, withoutBom } from '../record/index.js';
import { checkOsvRecord } from './check.js';
import { packageKindFor, splitOsvEcosystem } from './ecosystem.js';
import { advisoryUrl, recordIds } from './ids.js';
import type { OsvAffected, OsvRange, OsvRecord } from './raw.js';
import {
  cvesMapSeverity,
  maxSeverity,
  severityFromSummary,
  severityFromWord,
  ubuntuSeverity,
} from './severity.js';

const FEED_CODES: ReadonlySet<string> = new Set<FeedErrorCode>([
  'PL_FEED_JSON_INVALID',
  'PL_FEED_SCHEMA_INVALID',
  'PL_FEED_VERSION_INVALID',
  'PL_FEED_ECOSYSTEM_UNKNOWN',
  'PL_FEED_RECORD_TOO_LARGE',
  'PL_FEED_LINE_INVALID',
  'PL_FEED_CVSS_INVALID',
]);

function isFeedCode(code: string): code is FeedErrorCode {
  return FEED_CODES.has(code);
}

export function parseOsv(input: string, file: string): ParseResult<Advisory> {
  const text = withoutBom(input);
  const records: Advisory[] = [];
  const errors: FeedRecordError[] = [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    errors.push(jsonError(text, file, e));
    return { records, errors };
  }
  const items = Array.isArray(json) ? json : [json];
  items.forEach((item, i) => {
    try {
      records.push(toAdvisory(checkOsvRecord(item)));
    } catch (e) {
      if (!isPatchloopError(e) || !isFeedCode(e.code)) throw e;
      const id = isObject(item) && typeof item.id === 'string' && item.id !== '' ? item.id : `#${i}`;
      errors.push({ file, record: id, code: e.code, reason: e.message });
    }
  });
  return { records, errors };
}

/** The error for unparsable JSON: by the record id if one is visible, else by the line of the fault. */
function jsonError(text: string, file: string, e: unknown): FeedRecordError {
  const id = text.trimStart().startsWith('{') ? /"id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1] : undefined;
  return jsonSyntaxError(file, e, jsonErrorLine(text, e), id);
}

function toAdvisory(rec: OsvRecord): Advisory {
  const affected = (rec.affected ?? []).flatMap((a, i) =>
    a.package === undefined ? [] : [toAffected(a, a.package, `affected[${i}]`)],
  );
  const { aliases, related } = recordIds(rec);
  const summary = rec.summary ?? '';
  return {
    id: rec.id,
    source: 'osv',
    aliases,
    related,
    published: rec.published ?? null,
    modified: rec.modified,
    withdrawn: rec.withdrawn ?? null,
    summary,
    details: rec.details ?? '',
    classification: classify(rec.id),
    severity: advisorySeverity(rec, summary, affected),
    affected,
    references: (rec.references ?? []).map((r) => ({ type: r.type, url: r.url })),
    url: advisoryUrl(rec, aliases, mainRelease(affected)),
  };
}

/** Errata kinds by id: XXBA- (bug fix, e.g. ALBA, RHBA) and XXEA- (enhancement); all else is security. */
function classify(id: string): Classification {
  if (/^[A-Z]{1,4}BA-/.test(id)) return 'bugfix';
  if (/^[A-Z]{1,4}EA-/.test(id)) return 'enhancement';
  return 'security';
}

/**
 * The publisher's overall severity: Ubuntu's priority, `database_specific.severity`,
 * a Red Hat style summary prefix; else the highest severity of its packages.
 */
function advisorySeverity(
  rec: OsvRecord,
  summary: string,
  affected: readonly AffectedPackage[],
): Severity | null {
  const stated =
    ubuntuSeverity(rec.severity) ??
    severityFromWord(rec.database_specific?.severity) ??
    severityFromSummary(summary);
  if (stated !== null) return stated;
  return affected.reduce<Severity | null>((s, a) => maxSeverity(s, a.severity), null);
}

/** The release most affected entries name (the first of the most frequent), for picking the URL. */
function mainRelease(affected: readonly AffectedPackage[]): string | null {
  const counts = new Map<string, number>();
  let best: string | null = null;
  for (const a of affected) {
    if (a.release === null) continue;
    const n = (counts.get(a.release) ?? 0) + 1;
    counts.set(a.release, n);
    if (best === null || n > (counts.get(best) ?? 0)) best = a.release;
  }
  return best;
}

function toAffected(a: OsvAffected, pkg: { ecosystem: string; name: string }, path: string): AffectedPackage {
  const { ecosystem, release } = splitOsvEcosystem(pkg.ecosystem);
  const scheme = ecosystemScheme(ecosystem, pkg.ecosystem, path);
  const schemeOf = (r: OsvRange) => (r.type === 'SEMVER' ? SEMVER : scheme);
  const ranges = (a.ranges ?? []).map((r, i) => toRange(r, schemeOf(r), pkg, `${path}.ranges[${i}]`));
  let fixedVersion: string | null = null;
  let fixedScheme: VersionScheme<unknown> | null = null;
  for (const r of a.ranges ?? []) {
    if (r.type === 'GIT') continue;
    for (const e of r.events) {
      if (e.fixed === undefined) continue;
      // The highest fixed version when ranges name several (for display; matching uses the ranges).
      if (
        fixedVersion === null ||
        (fixedScheme === schemeOf(r) && fixedScheme.compare(e.fixed, fixedVersion) > 0)
      ) {
        fixedVersion = e.fixed;
        fixedScheme = schemeOf(r);
      }
    }
  }
  return {
    ecosystem,
    release,
    package: pkg.name,
    packageKind: packageKindFor(ecosystem),
    status: ranges.some((r) => r.events.some((e) => e.fixed !== undefined)) ? 'fixed' : 'unfixed',
    ranges,
    versions: a.versions ?? [],
    fixedVersion,
    severity: packageSeverity(a),
  };
}

function packageSeverity(a: OsvAffected): Severity | null {
  return (
    severityFromWord(a.ecosystem_specific?.ubuntu_priority) ??
    cvesMapSeverity(a.database_specific) ??
    ubuntuSeverity(a.severity) ??
    severityFromWord(a.ecosystem_specific?.severity) ??
    severityFromWord(a.database_specific?.severity)
  );
}

function ecosystemScheme(ecosystem: string, raw: string, path: string): VersionScheme<unknown> {
  try {
    return schemeFor(ecosystem);
  } catch (e) {
    if (isPatchloopError(e) && e.code === 'PL_VERSION_SCHEME_UNKNOWN') {
      throw new PatchloopError(
        'PL_FEED_ECOSYSTEM_UNKNOWN',
        `${path}.package.ecosystem: no version scheme for ecosystem ${JSON.stringify(raw)}`,
        { ecosystem: raw },
      );
    }
    throw e;
  }
}

/** OSV SEMVER ranges are SemVer 2.0 whatever the ecosystem. */
const SEMVER = schemeFor('semver');

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function toRange(
  r: OsvRange,
  scheme: VersionScheme<unknown>,
  pkg: { ecosystem: string; name: string },
  path: string,
): AffectedRange {
  const events: RangeEvent[] = r.events.map((e, i) => {
    for (const key of EVENT_KEYS) {
      const v = e[key];
      if (v === undefined) continue;
      if (r.type !== 'GIT' && !(key === 'introduced' && v === '0')) {
        const reason = scheme.validate(v);
        if (reason !== null) {
          throw new PatchloopError(
            'PL_FEED_VERSION_INVALID',
            `${path}.events[${i}].${key}: ${JSON.stringify(v)} is not a valid ${scheme.name} version for ${pkg.name} (${pkg.ecosystem}): ${reason}`,
            { version: v, scheme: scheme.name },
          );
        }
      }
      return { [key]: v };
    }
    throw new Error(`${path}.events[${i}]: no event key`); // unreachable: checkOsvRecord requires one
  });
  return { type: r.type, events };
}
