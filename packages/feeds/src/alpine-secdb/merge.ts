/**
 * Building and merging Alpine advisories. One secdb document gives, for each id, the packages of
 * one branch that fix it (sightings); the advisory is the same for every branch and repository, so
 * an import parses every document and then merges by id:
 *
 *   mergeAlpineAdvisories(files.flatMap((f) => parseAlpineSecdb(f.text, f.name).records))
 *
 * Merging unions aliases, affected packages and details. Two affected entries for the same branch
 * and package (the package is in two documents of one branch) combine as within one document: the
 * highest fixed version wins; "0" (not affected) only stands when no document names a fix.
 * Output is sorted: advisories by id (CVE ids by year and number), affected by branch (v3.9
 * before v3.10) and package, details as text in the same natural order.
 */
import { schemeFor, type AffectedPackage, type Advisory } from '@patchloop/core';
import { compareIds } from '../record/index.js';

/** One (branch, package, version) line of a secdb document naming an id. */
export interface Sighting {
  readonly release: string;
  readonly repo: string | null;
  readonly package: string;
  /** The fixed version, or null for the "0" key (never affected). */
  readonly fixed: string | null;
  readonly comment: string | null;
}

const apk = schemeFor('apk');
const CVE_ID = /^CVE-\d{4}-\d+$/;
const XSA_ID = /^XSA-(\d+)$/;

/** Digit runs compare as numbers, the rest by code unit: v3.9 < v3.10. */
export function compareNatural(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i] as string;
    const y = tb[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

export function advisoryUrl(primary: string): string | null {
  if (CVE_ID.test(primary)) return `https://security.alpinelinux.org/vuln/${primary}`;
  const xsa = XSA_ID.exec(primary);
  if (xsa !== null) return `https://xenbits.xen.org/xsa/advisory-${xsa[1]}.html`;
  return null;
}

interface Fix {
  readonly release: string;
  readonly package: string;
  readonly fixed: string | null;
}

/** Fixes of one (branch, package) → one affected entry, plus the versions that lost (for details). */
function combine(fixes: readonly Fix[]): { affected: AffectedPackage; others: string[] } {
  const first = fixes[0] as Fix;
  const versions = [...new Set(fixes.map((f) => f.fixed).filter((v): v is string => v !== null))];
  versions.sort((x, y) => apk.compare(y, x));
  const top = versions[0];
  const base = {
    ecosystem: 'Alpine',
    release: first.release,
    package: first.package,
    packageKind: 'source' as const,
    versions: [],
    severity: null,
  };
  if (top === undefined) {
    return { affected: { ...base, status: 'not-affected', ranges: [], fixedVersion: null }, others: [] };
  }
  const ranges = [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: top }] }];
  return { affected: { ...base, status: 'fixed', ranges, fixedVersion: top }, others: versions.slice(1) };
}

function combineAll(fixes: readonly Fix[]): { affected: AffectedPackage[]; notes: string[] } {
  const groups = new Map<string, Fix[]>();
  for (const f of fixes) {
    const key = `${f.release}\u0000${f.package}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [f]);
    else g.push(f);
  }
  const affected: AffectedPackage[] = [];
  const notes: string[] = [];
  for (const g of groups.values()) {
    const { affected: a, others } = combine(g);
    affected.push(a);
    if (others.length > 0)
      notes.push(`${a.release} ${a.package}: also listed as fixed in ${others.join(', ')}`);
  }
  affected.sort(
    (x, y) => compareNatural(x.release ?? '', y.release ?? '') || compareNatural(x.package, y.package),
  );
  return { affected, notes };
}

function assemble(
  id: string,
  primary: string,
  aliases: Iterable<string>,
  affected: AffectedPackage[],
  details: Iterable<string>,
): Advisory {
  const packages = [...new Set(affected.map((a) => a.package))].sort(compareNatural);
  const url = advisoryUrl(primary);
  return {
    id,
    source: 'alpine-secdb',
    aliases: [...new Set([primary, ...aliases])].filter((a) => a !== id).sort(compareIds),
    related: [],
    published: null,
    modified: null,
    withdrawn: null,
    summary: `${primary} in ${packages.join(', ')}`,
    details: [...new Set(details)].sort(compareNatural).join('\n'),
    classification: 'security',
    severity: null,
    affected,
    references: url === null ? [] : [{ type: 'ADVISORY', url }],
    url,
  };
}

/** The advisory one document gives for `primary` (a CVE id, or a vendor id when there is none). */
export function buildAdvisory(
  primary: string,
  aliases: Iterable<string>,
  sightings: readonly Sighting[],
): Advisory {
  const { affected, notes } = combineAll(sightings);
  const comments = sightings
    .filter((s) => s.comment !== null)
    .map(
      (s) =>
        `${s.release}${s.repo === null ? '' : `/${s.repo}`} ${s.package} ${s.fixed ?? '0'}: ${s.comment}`,
    );
  return assemble(`ALPINE-${primary}`, primary, aliases, affected, [...notes, ...comments]);
}

/** Unions advisories with the same id (from the documents of several branches and repositories). */
export function mergeAlpineAdvisories(advisories: readonly Advisory[]): Advisory[] {
  const byId = new Map<string, Advisory[]>();
  for (const a of advisories) {
    const g = byId.get(a.id);
    if (g === undefined) byId.set(a.id, [a]);
    else g.push(a);
  }
  const merged: Advisory[] = [];
  for (const [id, group] of byId) {
    if (group.length === 1) {
      merged.push(group[0] as Advisory);
      continue;
    }
    const fixes = group.flatMap((a) =>
      a.affected.map((p) => ({ release: p.release ?? '', package: p.package, fixed: p.fixedVersion })),
    );
    const { affected, notes } = combineAll(fixes);
    const primary = id.replace(/^ALPINE-/, '');
    const details = group.flatMap((a) => (a.details === '' ? [] : a.details.split('\n')));
    merged.push(
      assemble(
        id,
        primary,
        group.flatMap((a) => a.aliases),
        affected,
        [...details, ...notes],
      ),
    );
  }
  return merged.sort((a, b) => compareIds(a.id.replace(/^ALPINE-/, ''), b.id.replace(/^ALPINE-/, '')));
}
