/**
 * CVSS metrics of a CVE record: every cvssV2_0, cvssV3_0, cvssV3_1 and
 * cvssV4_0 in the CNA container (source "cna") and in each ADP container
 * (source "adp:<shortName>", e.g. "adp:CISA-ADP"), scored by core's
 * `scoreCvss`.
 *
 * - The vector is the truth: the version is the one the vector says (the
 *   metric key and `version` field are the CNA's label for it), and the score
 *   is ours. `statedScore` keeps the publisher's `baseScore` only when it
 *   differs from ours.
 * - A metric whose vector is missing or does not score is dropped and
 *   reported (a warning: the record is kept with its other metrics).
 * - The same (source, version, vector) given twice counts once.
 */
import { isPatchloopError, type CvssMetric } from '@patchloop/core';
import { scoreCvss } from '@patchloop/core/cvss';
import { isObject } from '../record/index.js';
import { CVSS_METRIC_KEYS, type CveContainer } from './raw.js';

export interface CveMetrics {
  readonly cvss: CvssMetric[];
  /** One reason per dropped metric, for PL_FEED_CVSS_INVALID errors. */
  readonly errors: string[];
}

export function cveMetrics(cna: CveContainer, adp: readonly CveContainer[]): CveMetrics {
  const out: CveMetrics = { cvss: [], errors: [] };
  const seen = new Set<string>();
  const containers: [string, CveContainer][] = [
    ['cna', cna],
    ...adp.map((a): [string, CveContainer] => [`adp:${providerName(a)}`, a]),
  ];
  for (const [source, container] of containers) {
    (container.metrics ?? []).forEach((metric, i) => {
      for (const key of CVSS_METRIC_KEYS) {
        const cvss: unknown = metric[key];
        if (cvss === undefined) continue;
        const where = `${source} metrics[${i}].${key}`;
        const m = toMetric(cvss, source, where, out.errors);
        if (m === null) continue;
        const k = `${m.source}\n${m.version}\n${m.vector}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.cvss.push(m);
      }
    });
  }
  return out;
}

function providerName(c: CveContainer): string {
  return c.providerMetadata.shortName ?? c.providerMetadata.orgId ?? 'unknown';
}

/** One CVSS object (with `vectorString`, maybe `baseScore`) scored as a metric of `source`; null (and a reason) when it cannot be. */
export function toMetric(cvss: unknown, source: string, where: string, errors: string[]): CvssMetric | null {
  if (!isObject(cvss) || typeof cvss.vectorString !== 'string') {
    errors.push(`${where}: no vectorString`);
    return null;
  }
  let score: ReturnType<typeof scoreCvss>;
  try {
    score = scoreCvss(cvss.vectorString);
  } catch (e) {
    // Only a vector the scorer rejects is the data's fault; anything else is a bug and propagates.
    if (!isPatchloopError(e) || e.code !== 'PL_CVSS_INVALID') throw e;
    errors.push(`${where}: ${e.message}`);
    return null;
  }
  const stated =
    typeof cvss.baseScore === 'number' && Number.isFinite(cvss.baseScore) ? cvss.baseScore : null;
  return {
    version: score.version,
    vector: score.vector,
    baseScore: score.baseScore,
    severity: score.severity,
    statedScore: stated !== null && Math.abs(stated - score.baseScore) > 1e-9 ? stated : null,
    source,
  };
}
