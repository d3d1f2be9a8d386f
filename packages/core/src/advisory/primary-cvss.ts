import type { CvssMetric } from './model.js';

/** Preference among CVSS versions for the one score shown and used by default. */
const VERSION_RANK: Readonly<Record<CvssMetric['version'], number>> = {
  '3.1': 0,
  '3.0': 1,
  '4.0': 2,
  '2.0': 3,
};

/** Preference among the givers of a metric, within one version. */
const sourceRank = (source: string) => (source === 'cna' ? 0 : source === 'nvd' ? 1 : 2);

/**
 * The CVSS metric Patchloop shows and uses by default for a CVE: v3.1, then
 * v3.0, then v4.0, then v2.0 (v3.x is what most tooling and SLAs still key
 * on; v4.0 is used when it is all there is); within a version the CNA's own
 * metric (it knows the product), then NVD's (NIST's own analysis, from the
 * NVD API when a key is configured), then an ADP's (e.g. CISA-ADP, which
 * fills in where the others gave none). All metrics stay stored.
 */
export function primaryCvss(metrics: readonly CvssMetric[]): CvssMetric | null {
  let best: CvssMetric | null = null;
  const rank = (m: CvssMetric) => VERSION_RANK[m.version] * 3 + sourceRank(m.source);
  for (const m of metrics) if (best === null || rank(m) < rank(best)) best = m;
  return best;
}
