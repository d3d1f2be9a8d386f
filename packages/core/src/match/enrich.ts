/**
 * What the CVE records, KEV and EPSS say about an advisory: the highest
 * CVSS score among its CVEs, whether any is known exploited (earliest due
 * date), and the highest EPSS.
 */
import type { Advisory, CvssMetric } from '../advisory/model.js';
import { primaryCvss } from '../advisory/primary-cvss.js';
import type { EnrichmentSource } from './advisory-source.js';
import type { Finding } from './model.js';

export interface Enriched {
  readonly cvss: (CvssMetric & { readonly cve: string }) | null;
  readonly kev: Finding['kev'];
  readonly epss: Finding['epss'];
}

export function enrich(advisory: Advisory, source: EnrichmentSource): Enriched {
  let cvss: Enriched['cvss'] = null;
  let kev: Enriched['kev'] = null;
  let epss: Enriched['epss'] = null;
  const cves = [advisory.id, ...advisory.aliases].filter((id) => id.startsWith('CVE-'));
  for (const id of cves) {
    const record = source.cve(id);
    const m = record ? primaryCvss(record.cvss) : null;
    if (m && (cvss === null || m.baseScore > cvss.baseScore)) cvss = { ...m, cve: id };
    const k = source.kev(id);
    if (k && (kev === null || k.dueDate < kev.dueDate)) {
      kev = { cve: id, dateAdded: k.dateAdded, dueDate: k.dueDate, ransomware: k.knownRansomwareCampaignUse };
    }
    const e = source.epss(id);
    if (e && (epss === null || e.epss > epss.score))
      epss = { cve: id, score: e.epss, percentile: e.percentile };
  }
  return { cvss, kev, epss };
}
