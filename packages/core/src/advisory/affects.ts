/**
 * Whether an advisory's affected entry covers an installed version, by the
 * OSV range semantics (https://ossf.github.io/osv-schema/#evaluation) in the
 * ecosystem's own version ordering.
 */
import type { VersionScheme } from '../version/scheme.js';
import type { AffectedPackage, AffectedRange, RangeEvent } from './model.js';

export interface AffectsResult {
  readonly affected: boolean;
  /** The fixed version of the range that matched, when it has one. */
  readonly fixedVersion: string | null;
  /** The range that matched, for explanations ("introduced 0, fixed 1.2-3"). */
  readonly range: string | null;
}

const NOT_AFFECTED: AffectsResult = { affected: false, fixedVersion: null, range: null };

function eventVersion(e: RangeEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit) as string;
}

function describe(events: readonly RangeEvent[]): string {
  return events
    .map((e) =>
      e.introduced !== undefined
        ? `introduced ${e.introduced}`
        : e.fixed !== undefined
          ? `fixed ${e.fixed}`
          : e.last_affected !== undefined
            ? `last affected ${e.last_affected}`
            : `limit ${e.limit}`,
    )
    .join(', ');
}

/** Order of events at the same version: introduced, then fixed/last_affected/limit. */
const KIND_ORDER = (e: RangeEvent) => (e.introduced !== undefined ? 0 : 1);

/**
 * Evaluates one ECOSYSTEM or SEMVER range (OSV's algorithm): walk the events
 * in version order; `introduced` opens, `fixed` closes at its version,
 * `last_affected` closes after its version; a `limit` caps the range (the
 * version must be below some limit when the range has any). Throws when an
 * event is not a version of the scheme (the caller skips that range).
 */
function inRange(range: AffectedRange, version: unknown, scheme: VersionScheme<unknown>): AffectsResult {
  const parsed = new Map<string, unknown>();
  const p = (v: string) => {
    let x = parsed.get(v);
    if (x === undefined) parsed.set(v, (x = scheme.parse(v)));
    return x;
  };
  const cmp = (v: string) => (v === '0' ? 1 : scheme.compareParsed(version, p(v)));
  const events = range.events
    .filter((e) => e.limit === undefined)
    .sort((a, b) => {
      const va = eventVersion(a);
      const vb = eventVersion(b);
      const byVersion = va === vb ? 0 : va === '0' ? -1 : vb === '0' ? 1 : scheme.compareParsed(p(va), p(vb));
      return byVersion || KIND_ORDER(a) - KIND_ORDER(b);
    });
  const limits = range.events.filter((e) => e.limit !== undefined).map((e) => e.limit as string);
  if (limits.length > 0 && !limits.includes('*') && !limits.some((l) => cmp(l) < 0)) return NOT_AFFECTED;
  let affected = false;
  let fixed: string | null = null;
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (cmp(e.introduced) >= 0) {
        affected = true;
        fixed = null;
      }
    } else if (e.fixed !== undefined) {
      if (cmp(e.fixed) >= 0) affected = false;
      else if (affected && fixed === null) fixed = e.fixed;
    } else if (e.last_affected !== undefined) {
      if (cmp(e.last_affected) > 0) affected = false;
    }
  }
  return affected ? { affected: true, fixedVersion: fixed, range: describe(range.events) } : NOT_AFFECTED;
}

/**
 * Whether `version` is affected by `entry`. `not-affected` entries never
 * are; GIT ranges are not evaluated (no commit graph here).
 */
export function affects(
  entry: AffectedPackage,
  version: string,
  scheme: VersionScheme<unknown>,
): AffectsResult {
  if (entry.status === 'not-affected') return NOT_AFFECTED;
  const parsed = scheme.parse(version);
  if (entry.versions.length > 0) {
    for (const v of entry.versions) {
      if (scheme.validate(v) === null && scheme.compareParsed(parsed, scheme.parse(v)) === 0) {
        return { affected: true, fixedVersion: entry.fixedVersion, range: `listed version ${v}` };
      }
    }
  }
  for (const range of entry.ranges) {
    if (range.type === 'GIT') continue;
    let r: AffectsResult;
    try {
      r = inRange(range, parsed, scheme);
    } catch {
      continue; // a range with a version the scheme rejects is skipped; the others still count
    }
    if (r.affected) return r;
  }
  return NOT_AFFECTED;
}
