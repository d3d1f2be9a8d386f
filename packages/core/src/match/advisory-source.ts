/**
 * What the matcher reads: advisory entries by (ecosystem, release, package),
 * and the enrichment of CVE ids. The store or a scan loads them; here they
 * are plain in-memory maps.
 */
import type {
  Advisory,
  AffectedPackage,
  CveRecord,
  EolCycle,
  EpssScore,
  KevEntry,
} from '../advisory/model.js';

export interface IndexedEntry {
  readonly advisory: Advisory;
  readonly affected: AffectedPackage;
}

export interface AdvisorySource {
  entries(ecosystem: string, release: string, pkg: string): readonly IndexedEntry[];
}

export interface EnrichmentSource {
  cve(id: string): CveRecord | undefined;
  kev(id: string): KevEntry | undefined;
  epss(id: string): EpssScore | undefined;
  eolCycles(product: string): readonly EolCycle[];
}

const key = (ecosystem: string, release: string, pkg: string) => `${ecosystem}\u0000${release}\u0000${pkg}`;

/** Indexes advisories by (ecosystem, release, package) of each affected entry. */
export function indexAdvisories(advisories: Iterable<Advisory>): AdvisorySource & { readonly size: number } {
  const map = new Map<string, IndexedEntry[]>();
  let size = 0;
  for (const advisory of advisories) {
    size++;
    for (const affected of advisory.affected) {
      const k = key(affected.ecosystem, affected.release ?? '', affected.package);
      let list = map.get(k);
      if (!list) map.set(k, (list = []));
      list.push({ advisory, affected });
    }
  }
  return { size, entries: (e, r, p) => map.get(key(e, r, p)) ?? [] };
}

export function enrichmentFrom(data: {
  cves?: Iterable<CveRecord>;
  kev?: Iterable<KevEntry>;
  epss?: Iterable<EpssScore>;
  eol?: Iterable<EolCycle>;
}): EnrichmentSource {
  const cves = new Map([...(data.cves ?? [])].map((c) => [c.id, c]));
  const kev = new Map([...(data.kev ?? [])].map((k) => [k.cveId, k]));
  const epss = new Map([...(data.epss ?? [])].map((e) => [e.cveId, e]));
  const eol = new Map<string, EolCycle[]>();
  for (const c of data.eol ?? []) {
    const list = eol.get(c.product) ?? [];
    list.push(c);
    eol.set(c.product, list);
  }
  return {
    cve: (id) => cves.get(id),
    kev: (id) => kev.get(id),
    epss: (id) => epss.get(id),
    eolCycles: (p) => eol.get(p) ?? [],
  };
}
