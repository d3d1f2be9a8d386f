/**
 * Risk scores for real CVEs from the shared fixtures, read in place: CISA's
 * KEV catalog (kev/known_exploited_vulnerabilities.json, 2025-08-25), FIRST
 * EPSS scores (epss/epss_scores-2026-08-16.csv) and vulnrichment CVE JSON 5
 * records (cve-records/vulnrichment-cve5-sample.jsonl). CVSS vectors come
 * from the records and are scored by core's scoreCvss, as feeds does.
 *
 * The four CVEs:
 * - CVE-2024-23897 (Jenkins CLI): in KEV with "Known" ransomware use, EPSS 0.99999,
 *   CVSS 3.1 only from CISA-ADP (AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8).
 * - CVE-2024-9047 (WordPress File Upload): not in KEV, very high EPSS 0.93199
 *   (percentile 0.99826), CVSS 3.1 9.8.
 * - CVE-2024-5420: only a CVSS 4.0 metric (the CNA's, 8.3), EPSS 0.055 (percentile 0.92097).
 * - CVE-2023-38606 (Apple kernel): no CVSS metric at all, in KEV (ransomware
 *   "Unknown", due 2023-08-16), EPSS 0.02899.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CvssVersion } from '../advisory/model.js';
import { scoreCvss } from '../cvss/score.js';
import type { Finding } from '../match/model.js';
import { readFixture } from '@patchloop/test-support';
import { DEFAULT_RISK_CONTEXT, type RiskContext, type RiskResult } from './model.js';
import { assessRisk } from './score.js';
import { slaDue, slaState } from './sla.js';

type Enrichment = Pick<Finding, 'cvss' | 'kev' | 'epss'>;
const ids = ['CVE-2024-23897', 'CVE-2024-9047', 'CVE-2024-5420', 'CVE-2023-38606'] as const;
const data = new Map<string, Enrichment>();

interface CvssMetric {
  readonly vectorString: string;
}
interface CveRecord {
  readonly cveMetadata: { readonly cveId: string };
  readonly containers: {
    readonly cna: { readonly metrics?: Record<string, unknown>[] };
    readonly adp?: { readonly metrics?: Record<string, unknown>[] }[];
  };
}
interface KevEntry {
  readonly cveID: string;
  readonly dateAdded: string;
  readonly dueDate: string;
  readonly knownRansomwareCampaignUse: string;
}

/** The highest-scored CVSS metric of a record (CNA and ADP containers), as Finding.cvss. */
function cvssOf(record: CveRecord, cve: string): Finding['cvss'] {
  const metrics = [
    record.containers.cna.metrics ?? [],
    ...(record.containers.adp ?? []).map((a) => a.metrics ?? []),
  ];
  const vectors = metrics
    .flat()
    .flatMap((m) => Object.entries(m).filter(([k]) => k.startsWith('cvssV')))
    .map(([, v]) => (v as CvssMetric).vectorString);
  const scored = vectors.map((v) => scoreCvss(v)).sort((a, b) => b.baseScore - a.baseScore);
  const best = scored[0];
  if (best === undefined) return null;
  return { score: best.baseScore, version: best.version as CvssVersion, vector: best.vector, cve };
}

beforeAll(() => {
  const records = new Map<string, CveRecord>();
  for (const line of readFixture('cve-records', 'vulnrichment-cve5-sample.jsonl').split('\n')) {
    if (!ids.some((id) => line.includes(`"${id}"`))) continue;
    const record = JSON.parse(line) as CveRecord;
    records.set(record.cveMetadata.cveId, record);
  }
  const kev = (
    JSON.parse(readFixture('kev', 'known_exploited_vulnerabilities.json')) as {
      vulnerabilities: KevEntry[];
    }
  ).vulnerabilities;
  const epssCsv = readFixture('epss', 'epss_scores-2026-08-16.csv');
  for (const id of ids) {
    const record = records.get(id);
    if (record === undefined) throw new Error(`${id} not in the cve-records fixture`);
    const k = kev.find((e) => e.cveID === id);
    const e = new RegExp(`^${id},([0-9.]+),([0-9.]+)$`, 'm').exec(epssCsv);
    data.set(id, {
      cvss: cvssOf(record, id),
      kev:
        k === undefined
          ? null
          : {
              cve: id,
              dateAdded: k.dateAdded,
              dueDate: k.dueDate,
              ransomware: k.knownRansomwareCampaignUse === 'Known',
            },
      epss: e === null ? null : { cve: id, score: Number(e[1]), percentile: Number(e[2]) },
    });
  }
});

function finding(id: string, status: Finding['status'] = 'fixable'): Finding {
  const enrichment = data.get(id);
  if (enrichment === undefined) throw new Error(id);
  return {
    package: 'example',
    arch: null,
    sourcePackage: 'example',
    installedVersion: '1.0',
    fixedVersion: status === 'fixable' ? '1.1' : null,
    status,
    advisory: { id, aliases: [id], source: 'osv', url: null, modified: null, classification: 'security' },
    release: null,
    severity: null,
    ...enrichment,
    explanation: `example 1.0 is affected by ${id}`,
  };
}

const HOST = DEFAULT_RISK_CONTEXT; // tier2, internal, environment unknown, standard users
const CROWN: RiskContext = {
  criticality: 'tier0',
  environment: 'production',
  internetFacing: true,
  userRisk: 'high',
};
const LAB: RiskContext = {
  criticality: 'tier3',
  environment: 'development',
  internetFacing: false,
  userRisk: 'standard',
};
const line = (r: RiskResult): [number, string, string] => [r.score, r.priority, r.explanation];

describe('the fixture CVEs are what the test says', () => {
  it('reads them from the fixtures', () => {
    expect(data.get('CVE-2024-23897')).toMatchObject({
      cvss: { score: 9.8, version: '3.1' },
      kev: { dueDate: '2024-09-09', ransomware: true },
      epss: { score: 0.99999, percentile: 0.99995 },
    });
    expect(data.get('CVE-2024-9047')).toMatchObject({
      cvss: { score: 9.8 },
      kev: null,
      epss: { score: 0.93199 },
    });
    expect(data.get('CVE-2024-5420')).toMatchObject({ cvss: { score: 8.3, version: '4.0' }, kev: null });
    expect(data.get('CVE-2023-38606')).toMatchObject({
      cvss: null,
      kev: { dueDate: '2023-08-16', ransomware: false },
    });
  });
});

describe('risk of real CVEs', () => {
  it('KEV with ransomware: CVE-2024-23897', () => {
    // 9.8 × 5 = 49; KEV 35 + ransomware 10 = 45; EPSS 30 × 0.99999 + 5 = 35.0 does not exceed KEV's 35 → 0.
    const r = assessRisk(finding('CVE-2024-23897'), HOST);
    expect(line(r)).toEqual([
      94,
      'P1',
      'Risk 94.0 = CVSS 3.1 9.8 +49.0; KEV (ransomware) +45.0. P1: score ≥ 70.',
    ]);
    expect(r.factors[2]?.explanation).toBe(
      'EPSS probability 0.99999: 30 × 0.99999 = 30.0, +5 for percentile ≥ 0.95; KEV already counts 35, EPSS adds only what exceeds it',
    );
    // On the most critical host: 94 × 1.3 × 1.25 × 1.2 = 183.3, capped at 100.
    const crown = assessRisk(finding('CVE-2024-23897'), CROWN);
    expect(line(crown)).toEqual([
      100,
      'P1',
      'Risk 100.0 = CVSS 3.1 9.8 +49.0; KEV (ransomware) +45.0; tier0 host ×1.3 +28.2; internet-facing ×1.25 +30.6; ' +
        'high user risk ×1.2 +30.5; cap at 100 -83.3. P1: score ≥ 70.',
    ]);
    // On a tier3 development box: 94 × 0.85 = 79.9 (-14.1), × 0.8 = 63.92 (-15.98) → 63.9, P2 (KEV is at least P2 anyway).
    expect(line(assessRisk(finding('CVE-2024-23897'), LAB))).toEqual([
      63.9,
      'P2',
      'Risk 63.9 = CVSS 3.1 9.8 +49.0; KEV (ransomware) +45.0; tier3 host ×0.85 -14.1; development ×0.8 -16.0. P2: score ≥ 40.',
    ]);
  });

  it('high EPSS, not in KEV: CVE-2024-9047', () => {
    // 49 + EPSS 30 × 0.93199 = 27.96 + 5 (percentile 0.99826 ≥ 0.95) = 32.96 → 81.96 → 82.0, P1.
    const r = assessRisk(finding('CVE-2024-9047'), HOST);
    expect(line(r)).toEqual([
      82,
      'P1',
      'Risk 82.0 = CVSS 3.1 9.8 +49.0; EPSS 0.93199 (percentile 0.99826) +33.0. P1: score ≥ 70.',
    ]);
    // A likely-exploited bug on a lab box stays urgent but drops a priority: 81.96 × 0.85 × 0.8 = 55.7.
    expect(assessRisk(finding('CVE-2024-9047'), LAB).priority).toBe('P2');
  });

  it('CVSS 4.0 only: CVE-2024-5420', () => {
    // 8.3 × 5 = 41.5; EPSS 30 × 0.055 = 1.65 (percentile 0.92097 < 0.95: no bonus) → 43.15 → 43.2, P2.
    expect(line(assessRisk(finding('CVE-2024-5420'), HOST))).toEqual([
      43.2,
      'P2',
      'Risk 43.2 = CVSS 4.0 8.3 +41.5; EPSS 0.055 (percentile 0.92097) +1.7. P2: score ≥ 40.',
    ]);
    // tier1 internet-facing production, elevated users: 43.15 × 1.15 = 49.62 (+6.47), × 1.25 = 62.03 (+12.41),
    // × 1.1 = 68.23 (+6.20) → 68.2, P2. Rounded down each part gives 68.1; the missing tenth goes to the
    // largest remainder (criticality's 6.47 → 6.5), so EPSS shows 1.6 here.
    const r = assessRisk(finding('CVE-2024-5420'), {
      criticality: 'tier1',
      environment: 'production',
      internetFacing: true,
      userRisk: 'elevated',
    });
    expect(line(r)).toEqual([
      68.2,
      'P2',
      'Risk 68.2 = CVSS 4.0 8.3 +41.5; EPSS 0.055 (percentile 0.92097) +1.6; tier1 host ×1.15 +6.5; ' +
        'internet-facing ×1.25 +12.4; elevated user risk ×1.1 +6.2. P2: score ≥ 40.',
    ]);
  });

  it('no CVSS at all, in KEV, no fix: CVE-2023-38606', () => {
    // Unknown severity counts as CVSS 5 → 25; KEV 35 (ransomware "Unknown" is not "Known"); EPSS 0.87 < 35 → 0.
    const r = assessRisk(finding('CVE-2023-38606', 'unfixed'), HOST);
    expect(line(r)).toEqual([
      60,
      'P2',
      'Risk 60.0 = severity unknown +25.0; KEV +35.0. P2: score ≥ 40. No fix is available yet.',
    ]);
    expect(r.factors.at(-1)?.name).toBe('fix');
    // With a vendor severity (e.g. a distro's "high" → CVSS 8): 40 + 35 = 75, P1.
    expect(assessRisk({ ...finding('CVE-2023-38606'), severity: 'high' }, HOST).score).toBe(75);
    // Internet-facing: 60 × 1.25 = 75 → P1 by score; on a lab box 60 × 0.85 × 0.8 = 40.8 → P2.
    expect(assessRisk(finding('CVE-2023-38606'), { ...HOST, internetFacing: true }).priority).toBe('P1');
    expect(line(assessRisk(finding('CVE-2023-38606'), LAB)).slice(0, 2)).toEqual([40.8, 'P2']);
    // tier3 test box: 60 × 0.85 × 0.75 = 38.25 → P3 by score, raised to P2 because it is in KEV.
    const test = assessRisk(finding('CVE-2023-38606'), { ...LAB, environment: 'test' });
    expect(test.score).toBe(38.3);
    expect(test.explanation).toContain(
      'P2: score ≥ 20 gives P3, raised because a KEV finding is at least P2',
    );
  });
});

describe('SLA of real KEV entries', () => {
  it("takes CISA's due date when it comes before the priority's", () => {
    const kev = finding('CVE-2024-23897').kev;
    const seen = new Date('2024-08-20T10:00:00Z');
    // P1: 7 days (2024-08-27) is before CISA's 2024-09-09.
    expect(slaDue('P1', seen, kev)).toEqual({ dueAt: new Date('2024-08-27T10:00:00Z'), basis: 'priority' });
    // P2: 30 days (2024-09-19) is after it: due at the end of 2024-09-09 UTC.
    expect(slaDue('P2', seen, kev)).toEqual({ dueAt: new Date('2024-09-09T23:59:59.999Z'), basis: 'kev' });
  });

  it('a finding first seen after its KEV due date is breached at once', () => {
    const due = slaDue('P2', new Date('2024-01-01T00:00:00Z'), finding('CVE-2023-38606').kev);
    expect(due).toEqual({ dueAt: new Date('2023-08-16T23:59:59.999Z'), basis: 'kev' });
    expect(slaState(due.dueAt, new Date('2024-01-01T00:00:00Z'), null, 3)).toBe('breached');
  });
});
