/**
 * `--format cyclonedx`: a CycloneDX 1.5 JSON SBOM of the host with its
 * vulnerabilities (the BOM + VEX form Dependency-Track and other tools read).
 *
 * - Deterministic: no clock and no randomness. `metadata.timestamp` is the
 *   report's `scannedAt`; `serialNumber` is a name-based (version 5, SHA-1)
 *   UUID of the BOM's own content, so the same report always gives the same
 *   serial number and a different one gives another. Components are sorted by
 *   purl, vulnerabilities by id (then source), affected refs by purl.
 * - `metadata.component` is the host's OS (type "operating-system"); every
 *   inventory package is a "library" component whose `bom-ref` is its purl
 *   (purl.ts), deduplicated by purl (first entry kept).
 * - One vulnerability per advisory (source and id), `affects` naming every
 *   installed package it applies to. Ratings: the CVSS score, vector and
 *   method from the CVE records; and the severity the distribution or
 *   advisory assigned (method "other") when there is no CVSS score or it
 *   rates differently. KEV and EPSS are `patchloop:` properties.
 */
import { createHash } from 'node:crypto';
import type { FeedSource, Finding, InstalledPackage, ScanReport } from '@patchloop/core';
import { findingPurls, packageUrl } from './purl.js';
import { cmp, cvssSeverity, severityRank } from './severity.js';
import { TOOL_NAME, TOOL_URN, UNKNOWN_TOOL_VERSION, type ScanOutputOptions } from './tool.js';

export const CYCLONEDX_SCHEMA = 'http://cyclonedx.org/schema/bom-1.5.schema.json';

/** Name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 of the namespace's bytes and the name. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const b = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 9562's namespace for URLs. */
const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/** The namespace of Patchloop's BOM serial numbers. */
export const BOM_SERIAL_NAMESPACE = uuidV5(NAMESPACE_URL, `${TOOL_URN}:cyclonedx-serial-number`);

const SOURCE_NAME: Readonly<Record<FeedSource, string>> = {
  osv: 'OSV',
  'debian-dsa': 'Debian Security Advisories',
  'debian-dla': 'Debian LTS Advisories',
  'alpine-secdb': 'Alpine secdb',
  kev: 'CISA KEV',
  epss: 'FIRST EPSS',
  cve: 'CVE',
  endoflife: 'endoflife.date',
};

const CVSS_METHOD: Readonly<Record<string, string>> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

/** Where an alias is described: NVD for CVEs, GitHub for GHSAs, OSV for the rest. */
function aliasSource(id: string): { name: string; url: string } {
  const enc = encodeURIComponent(id);
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${enc}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${enc}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${enc}` };
}

/** An ISO 8601 date or date-time as a JSON Schema date-time, or null when it is neither. */
export function dateTime(s: string | null): string | null {
  if (s === null) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00Z`;
  if (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
    !Number.isNaN(Date.parse(s))
  ) {
    return s;
  }
  return null;
}

const property = (name: string, value: string) => ({ name, value });
const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

function component(purl: string, p: InstalledPackage) {
  return {
    type: 'library',
    'bom-ref': purl,
    ...(p.vendor !== null && p.vendor !== '' ? { publisher: p.vendor } : {}),
    name: p.name,
    version: p.version,
    purl,
    properties: [
      property('patchloop:package:source_name', p.sourceName),
      property('patchloop:package:source_version', p.sourceVersion),
    ],
  };
}

function ratings(f: Finding) {
  const out: Record<string, unknown>[] = [];
  const cvssRated = f.cvss !== null ? cvssSeverity(f.cvss.version, f.cvss.score) : null;
  if (f.cvss !== null) {
    out.push({
      score: f.cvss.score,
      severity: cvssRated,
      method: CVSS_METHOD[f.cvss.version] ?? 'other',
      vector: f.cvss.vector,
    });
  }
  if (f.severity !== null && f.severity !== cvssRated) {
    out.push({ source: { name: SOURCE_NAME[f.advisory.source] }, severity: f.severity, method: 'other' });
  }
  return out;
}

function vulnerability(findings: readonly Finding[], refsOf: (f: Finding) => string[]) {
  let rep = findings[0] as Finding;
  for (const f of findings) if (severityRank(f.severity) < severityRank(rep.severity)) rep = f;
  const a = rep.advisory;
  const affects = new Map<string, Set<string>>();
  for (const f of findings) {
    for (const ref of refsOf(f)) {
      const versions = affects.get(ref) ?? new Set<string>();
      versions.add(f.installedVersion);
      affects.set(ref, versions);
    }
  }
  const recommendation = uniq(
    findings.map((f) =>
      f.fixedVersion !== null
        ? `Update ${f.package} to ${f.fixedVersion}`
        : `No fixed version of ${f.package} yet`,
    ),
  ).join('; ');
  const updated = dateTime(a.modified);
  const properties = [
    property('patchloop:advisory:source', a.source),
    property('patchloop:advisory:classification', a.classification),
    property('patchloop:severity', rep.severity ?? 'unknown'),
    property('patchloop:kev', rep.kev !== null ? 'true' : 'false'),
  ];
  if (rep.kev !== null) {
    properties.push(
      property('patchloop:kev:cve', rep.kev.cve),
      property('patchloop:kev:date_added', rep.kev.dateAdded),
      property('patchloop:kev:due_date', rep.kev.dueDate),
      property('patchloop:kev:ransomware', String(rep.kev.ransomware)),
    );
  }
  if (rep.epss !== null) {
    properties.push(
      property('patchloop:epss:cve', rep.epss.cve),
      property('patchloop:epss:score', String(rep.epss.score)),
      property('patchloop:epss:percentile', String(rep.epss.percentile)),
    );
  }
  return {
    id: a.id,
    source: { name: SOURCE_NAME[a.source], ...(a.url !== null ? { url: a.url } : {}) },
    ...(a.aliases.length > 0
      ? { references: uniq(a.aliases).map((id) => ({ id, source: aliasSource(id) })) }
      : {}),
    ratings: ratings(rep),
    description: rep.explanation,
    detail: uniq(findings.map((f) => f.explanation)).join('\n'),
    recommendation,
    ...(a.url !== null ? { advisories: [{ title: a.id, url: a.url }] } : {}),
    ...(updated !== null ? { updated } : {}),
    affects: [...affects.keys()].sort(cmp).map((ref) => ({
      ref,
      versions: [...(affects.get(ref) ?? [])].sort(cmp).map((version) => ({ version, status: 'affected' })),
    })),
    properties,
  };
}

export function formatCycloneDx(report: ScanReport, options: ScanOutputOptions = {}): string {
  const os = report.host.os ?? report.inventory.os;
  const manager = report.inventory.manager;

  const components = new Map<string, ReturnType<typeof component>>();
  for (const p of report.inventory.packages) {
    const purl = packageUrl(manager, os, p);
    if (!components.has(purl)) components.set(purl, component(purl, p));
  }
  const refsOf = (f: Finding) => findingPurls(report.inventory, os, f);
  // A finding for a package the inventory does not list (a hand-made report)
  // still gets a component, so that every `affects` ref resolves.
  for (const f of report.findings) {
    for (const ref of refsOf(f)) {
      if (!components.has(ref)) {
        components.set(
          ref,
          component(ref, {
            name: f.package,
            version: f.installedVersion,
            arch: null,
            sourceName: f.sourcePackage,
            sourceVersion: f.installedVersion,
            vendor: null,
          }),
        );
      }
    }
  }

  const byAdvisory = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = `${f.advisory.id}\u0000${f.advisory.source}`;
    const list = byAdvisory.get(key);
    if (list) list.push(f);
    else byAdvisory.set(key, [f]);
  }

  const toolVersion = options.toolVersion ?? UNKNOWN_TOOL_VERSION;
  const metadata = {
    timestamp: report.scannedAt,
    tools: {
      components: [
        {
          type: 'application',
          name: TOOL_NAME,
          version: toolVersion,
        },
      ],
    },
    ...(os !== null
      ? {
          component: {
            type: 'operating-system',
            'bom-ref': `os:${os.id}@${os.versionId}`,
            name: os.id,
            version: os.versionId,
            ...(os.prettyName !== null ? { description: os.prettyName } : {}),
            properties: [
              ...(os.codename !== null ? [property('patchloop:os:codename', os.codename)] : []),
              ...(report.inventory.kernel !== null
                ? [property('patchloop:os:kernel', report.inventory.kernel)]
                : []),
              property('patchloop:os:package_manager', manager),
              property('patchloop:eol:status', report.host.eol.status),
              ...(report.host.eol.eol !== null ? [property('patchloop:eol:date', report.host.eol.eol)] : []),
            ],
          },
        }
      : {}),
  };
  const body = {
    metadata,
    components: [...components.keys()].sort(cmp).map((k) => components.get(k)),
    vulnerabilities: [...byAdvisory.keys()]
      .sort(cmp)
      .map((k) => vulnerability(byAdvisory.get(k) ?? [], refsOf)),
  };
  const serialNumber = `urn:uuid:${uuidV5(BOM_SERIAL_NAMESPACE, JSON.stringify(body))}`;
  const bom = {
    $schema: CYCLONEDX_SCHEMA,
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber,
    version: 1,
    ...body,
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
