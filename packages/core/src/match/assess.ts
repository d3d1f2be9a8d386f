/**
 * Assess one host: its inventory against the advisories of its OS family,
 * enriched with CVSS, KEV and EPSS, explained, deterministically sorted.
 */
import type { Advisory, Classification, Severity } from '../advisory/model.js';
import { SEVERITY_ORDER, severityRank } from '../advisory/severity-order.js';
import { PatchloopError } from '../error/codes.js';
import type { Inventory, OsIdentity } from '../inventory/model.js';
import type { AdvisorySource, EnrichmentSource } from './advisory-source.js';
import { assessEol } from './eol.js';
import { contextKey, lookupOf, matchTuple, type TupleCache, type TupleMatch } from './engine.js';
import { enrich } from './enrich.js';
import type { Finding } from './model.js';
import { familyFor } from './os/list.js';
import type { ScanReport } from './report.js';

export interface AssessInput {
  readonly inventory: Inventory;
  /** Overrides the inventory's OS (`--os`). */
  readonly os?: OsIdentity | undefined;
  readonly advisories: AdvisorySource;
  readonly enrichment: EnrichmentSource;
  readonly now: Date;
  readonly only?: readonly Classification[] | undefined;
  readonly cache?: TupleCache | undefined;
}

const rank = severityRank;

function explain(pkgName: string, sourceName: string, version: string, m: TupleMatch): string {
  const who =
    sourceName !== pkgName ? `${pkgName} (source ${sourceName} ${version})` : `${pkgName} ${version}`;
  const adv = m.entry.advisory;
  const cves = adv.aliases.filter((a) => a.startsWith('CVE-'));
  const about = cves.length > 0 ? ` (${cves.slice(0, 3).join(', ')}${cves.length > 3 ? ', …' : ''})` : '';
  if (m.status === 'fixable') return `${who} < ${m.fixedVersion} fixed by ${adv.id}${about} for ${m.release}`;
  const why =
    m.entry.affected.status === 'end-of-life'
      ? 'the release no longer gets fixes for this package (end-of-life)'
      : 'no fixed version yet';
  return `${who} is affected by ${adv.id}${about} for ${m.release}: ${why} (${m.range ?? 'all versions'})`;
}

export function assessHost(input: AssessInput): ScanReport {
  const os = input.os ?? input.inventory.os;
  if (!os) throw new PatchloopError('PL_OS_UNSUPPORTED', 'the host OS is not known: give --os id:version');
  const family = familyFor(os);
  if (!family) {
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      `Patchloop cannot assess ${os.prettyName ?? os.id} yet (os id "${os.id}")`,
      {
        os: os.id,
      },
    );
  }
  if (family.manager !== input.inventory.manager) {
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      `a ${input.inventory.manager} inventory cannot be a ${os.prettyName ?? `${os.id} ${os.versionId}`} host (${family.name} uses ${family.manager}): check --os`,
    );
  }
  const targets = family.targets(os);
  if (targets.length === 0 || targets.every((t) => t.releases.length === 0)) {
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      `cannot tell which ${family.name} release the host runs (no VERSION_ID or codename): give --os`,
    );
  }
  const ctx = {
    family,
    os,
    targets,
    advisories: input.advisories,
    cache: input.cache,
    key: contextKey(family, os, targets, true),
    keyWithoutEpoch: contextKey(family, os, targets, false),
  };
  let findings: Finding[] = [];
  let thirdParty = 0;
  const seen = new Set<string>();
  for (const pkg of input.inventory.packages) {
    if (family.thirdParty(pkg, os) !== null) {
      thirdParty++;
      continue;
    }
    const lookup = lookupOf(family, pkg);
    for (const m of matchTuple(ctx, lookup.name, lookup.version, pkg.epochKnown !== false)) {
      const adv = m.entry.advisory;
      if (input.only && !input.only.includes(adv.classification)) continue;
      // One finding per (advisory, installed package version and arch), whichever release
      // spelling or feed it came through: a DSA from the tracker list and from OSV is one
      // advisory; AlmaLinux's and Rocky's copies of one Red Hat erratum are one.
      const k = `${canonicalAdvisoryId(adv)}\u0000${pkg.name}\u0000${pkg.version}\u0000${pkg.arch ?? ''}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const e = input.cache ? input.cache.enriched(adv, input.enrichment) : enrich(adv, input.enrichment);
      findings.push({
        package: pkg.name,
        arch: pkg.arch,
        sourcePackage: pkg.sourceName,
        installedVersion: pkg.version,
        fixedVersion: m.fixedVersion,
        status: m.status,
        advisory: {
          id: adv.id,
          aliases: adv.aliases,
          source: adv.source,
          url: adv.url,
          modified: adv.modified,
          classification: adv.classification,
        },
        release: m.release,
        severity: m.entry.affected.severity ?? adv.severity ?? e.cvss?.severity ?? null,
        cvss: e.cvss
          ? { score: e.cvss.baseScore, version: e.cvss.version, vector: e.cvss.vector, cve: e.cvss.cve }
          : null,
        kev: e.kev,
        epss: e.epss,
        explanation: explain(pkg.name, lookup.name, lookup.version, m),
      });
    }
  }
  findings = mergePerCveCopies(findings);
  findings.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      cmp(a.package, b.package) ||
      cmp(a.advisory.id, b.advisory.id) ||
      cmp(a.advisory.source, b.advisory.source) ||
      cmp(a.arch ?? '', b.arch ?? '') ||
      cmp(a.installedVersion, b.installedVersion),
  );
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<
    Severity | 'unknown',
    number
  >;
  for (const f of findings) bySeverity[f.severity ?? 'unknown']++;
  const eolProduct = family.eolCycle(os);
  return {
    host: {
      os,
      matchedAs: targets[0]
        ? {
            ecosystem: targets.map((t) => t.ecosystem).join(', '),
            releases: targets.flatMap((t) => t.releases),
          }
        : null,
      eol: assessEol(eolProduct, eolProduct ? input.enrichment.eolCycles(eolProduct.product) : [], input.now),
    },
    summary: {
      packages: input.inventory.packages.length,
      findings: findings.length,
      fixable: findings.filter((f) => f.status === 'fixable').length,
      unfixed: findings.filter((f) => f.status === 'unfixed').length,
      kev: findings.filter((f) => f.kev !== null).length,
      bySeverity,
      thirdParty,
    },
    findings,
    inventory: input.inventory,
    scannedAt: input.now.toISOString(),
  };
}

/** OSV Debian's per-CVE records: DEBIAN-CVE-2024-1234 is Debian's record of CVE-2024-1234. */
const PER_CVE_RECORD = /^DEBIAN-(CVE-\d{4}-\d+)$/;

/**
 * Debian publishes one fix twice: as a DSA/DLA naming its CVEs, and as OSV's
 * DEBIAN-CVE-* record for each of those CVEs. A DEBIAN-CVE finding whose CVE,
 * package (name, installed version, arch) and fixed version a DSA/DLA finding
 * already names is the same finding: it is counted once, under the DSA/DLA,
 * and its id is kept in that finding's explanation. DEBIAN-CVE findings with
 * no such twin (unfixed, no-DSA, postponed, another fixed version) stay.
 */
function mergePerCveCopies(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding, cve: string) =>
    `${cve}\u0000${f.package}\u0000${f.installedVersion}\u0000${f.arch ?? ''}\u0000${f.fixedVersion ?? ''}`;
  const owner = new Map<string, Finding>();
  for (const f of findings) {
    if (f.fixedVersion === null || PER_CVE_RECORD.test(f.advisory.id)) continue;
    for (const a of f.advisory.aliases)
      if (a.startsWith('CVE-') && !owner.has(key(f, a))) owner.set(key(f, a), f);
  }
  if (owner.size === 0) return [...findings];
  const also = new Map<Finding, string[]>();
  const kept: Finding[] = [];
  for (const f of findings) {
    const cve = f.fixedVersion === null ? undefined : PER_CVE_RECORD.exec(f.advisory.id)?.[1];
    const twin = cve === undefined ? undefined : owner.get(key(f, cve));
    if (twin === undefined) kept.push(f);
    else also.set(twin, [...(also.get(twin) ?? []), f.advisory.id]);
  }
  return kept.map((f) => {
    const ids = also.get(f);
    return ids
      ? { ...f, explanation: `${f.explanation}; also ${[...new Set(ids)].sort(cmp).join(', ')}` }
      : f;
  });
}

/** The upstream Red Hat erratum a rebuild's advisory copies (RHSA/RHBA/RHEA), else its own id. */
function canonicalAdvisoryId(adv: Advisory): string {
  return adv.aliases.find((a) => /^RH[SBE]A-\d{4}:\d+$/.test(a)) ?? adv.id;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
