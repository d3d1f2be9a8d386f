import type { CvssMetric } from './model.js';

/** Preference among CVSS versions for the one score shown and used by default. */
const VERSION_RANK: Readonly<Record<CvssMetric['version'], number>> = {
  '3.1': 0,
  '3.0': 1,
  '4.0': 2,
  '2.0': 3,
};

/**
 * The CVSS metric Patchloop shows and uses by default for a CVE: v3.1, then
 * v3.0, then v4.0, then v2.0 (v3.x is what most tooling and SLAs still key
 * on; v4.0 is used when it is all there is); within a version the CNA's own
 * metric before an ADP's (e.g. CISA-ADP) or NVD's. All metrics stay stored.
 */
export function primaryCvss(metrics: readonly CvssMetric[]): CvssMetric | null {
  let best: CvssMetric | null = null;
  const rank = (m: CvssMetric) => VERSION_RANK[m.version] * 2 + (m.source === 'cna' ? 0 : 1);
  for (const m of metrics) if (best === null || rank(m) < rank(best)) best = m;
  return best;
}
