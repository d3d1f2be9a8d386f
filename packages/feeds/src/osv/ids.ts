/**
 * Advisory ids: aliases, related ids and the reader-facing URL of an OSV
 * record.
 *
 * `aliases` is the union of OSV `aliases` and `upstream`, plus:
 * - CVE and UBUNTU-CVE ids from `related` when the record has neither
 *   `upstream` nor `aliases`: publishers on OSV before 1.7 had no `upstream`
 *   and put the issues an advisory fixes in `related` (AlmaLinux errata list
 *   their CVEs there; Ubuntu OSV 1.6.3 UBUNTU-CVE and USN records too). A
 *   record that does use `aliases` or `upstream` keeps `related` as it is,
 *   because there it can name a different vulnerability.
 * - CVE-Y-N for every UBUNTU-CVE-Y-N (Ubuntu's record for that CVE): OSV 1.7
 *   USNs name only UBUNTU-CVE ids upstream, and enrichment (CVSS, KEV, EPSS) is
 *   keyed by CVE id.
 * - the Red Hat erratum an AlmaLinux erratum rebuilds (RHSA/RHBA/RHEA, from its
 *   access.redhat.com/errata ADVISORY reference): same number, same fixes.
 * CVE ids come first, ordered by year and number; then the rest, ordered by
 * code unit. The record's own id is never an alias.
 */
import { compareIds } from '../record/index.js';
import type { OsvRecord } from './raw.js';

const PROMOTED_RELATED = /^(?:UBUNTU-)?CVE-\d{4}-\d+$/;
const UBUNTU_CVE = /^UBUNTU-(CVE-\d{4}-\d+)$/;
const RED_HAT_ERRATUM = /^https?:\/\/access\.redhat\.com\/errata\/(RH[SBE]A-\d{4}:\d+)\/?$/;

export interface RecordIds {
  readonly aliases: string[];
  readonly related: string[];
}

export function recordIds(rec: OsvRecord): RecordIds {
  const aliases = new Set<string>([...(rec.aliases ?? []), ...(rec.upstream ?? [])]);
  const promote = rec.upstream === undefined && aliases.size === 0;
  const related: string[] = [];
  for (const r of rec.related ?? []) {
    if (promote && PROMOTED_RELATED.test(r)) aliases.add(r);
    else related.push(r);
  }
  for (const id of [rec.id, ...aliases]) {
    const m = UBUNTU_CVE.exec(id);
    if (m !== null) aliases.add(m[1] as string);
  }
  for (const ref of rec.references ?? []) {
    if (ref.type !== 'ADVISORY') continue;
    const m = RED_HAT_ERRATUM.exec(ref.url);
    if (m !== null) aliases.add(m[1] as string);
  }
  aliases.delete(rec.id);
  const relatedOut = [...new Set(related)].filter((r) => r !== rec.id && !aliases.has(r));
  return { aliases: [...aliases].sort(compareIds), related: relatedOut };
}

const TYPE_RANK: Readonly<Record<string, number>> = { ADVISORY: 0, WEB: 1, REPORT: 2, ARTICLE: 3 };

function rank(type: string): number {
  return TYPE_RANK[type] ?? 9;
}

/** Whether `url` contains `id` not followed by another digit or letter (USN-1-1 is not USN-1-12). */
function names(url: string, id: string): boolean {
  for (let at = url.indexOf(id); at >= 0; at = url.indexOf(id, at + 1)) {
    const next = url.charCodeAt(at + id.length);
    if (Number.isNaN(next) || !/[0-9A-Za-z]/.test(String.fromCharCode(next))) return true;
  }
  return false;
}

/**
 * Where a person reads the advisory: the reference that names the record
 * (its id, or its id with ':' written '-' as errata.almalinux.org does), by
 * type ADVISORY, WEB, REPORT, ARTICLE, then others; when several of the best
 * type name it (an AlmaLinux erratum for releases 8, 9 and 10), the one under
 * the release most of its packages belong to. Failing that, a reference naming
 * one of its aliases (UBUNTU-CVE-2024-1234 → ubuntu.com/security/CVE-2024-1234),
 * then the first ADVISORY or WEB reference; null when there is none.
 */
export function advisoryUrl(
  rec: OsvRecord,
  aliases: readonly string[],
  mainRelease: string | null,
): string | null {
  const refs = [...(rec.references ?? [])].sort((a, b) => rank(a.type) - rank(b.type));
  const own = [...new Set([rec.id, rec.id.replaceAll(':', '-')])];
  const naming = refs.filter((r) => own.some((id) => names(r.url, id)));
  const best = naming[0];
  if (best !== undefined) {
    const inRelease =
      mainRelease === null
        ? undefined
        : naming.find((r) => rank(r.type) === rank(best.type) && r.url.includes(`/${mainRelease}/`));
    return (inRelease ?? best).url;
  }
  const upstream = refs.find((r) => aliases.some((id) => names(r.url, id)));
  if (upstream !== undefined) return upstream.url;
  return refs.find((r) => r.type === 'ADVISORY' || r.type === 'WEB')?.url ?? null;
}
