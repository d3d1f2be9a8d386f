/**
 * scoreCvss against the shared CVSS fixtures, read in place:
 *
 * - Red Hat's cvss test vectors (RedHatProductSecurity/cvss tests/vectors_*,
 *   and the CSVs derived from them). Their base-only tables are exhaustive:
 *   vectors_simple2 holds all 729 v2 base vectors, vectors_simple3 and
 *   vectors_simple31 all 2,592 v3.0 and v3.1 base vectors: every possible
 *   v2/v3.x base-only vector is checked.
 * - The scores CNAs and CISA-ADP state in vulnrichment CVE records.
 * - v4.0 is also checked against FIRST's reference algorithm in cvss4-first.test.ts.
 *
 * The fixture CSVs have no quoted fields, so test/fixtures.ts readCsv reads them.
 */
import cvssCalculator from 'ae-cvss-calculator';
import { describe, expect, it } from 'vitest';
import type { CvssVersion } from '../advisory/model.js';
import { isPatchloopError } from '../error/codes.js';
import { readCsv, readFixture } from '@patchloop/test-support';
import { CVSS_METRICS } from './metrics.js';
import { scoreCvss } from './score.js';
import { cvssSeverity, severityFirst, severityNvdV2 } from './severity.js';

const CSV_DIR = ['cvss-vectors', 'csv'] as const;

/** Red Hat's Python library prints the v2 zero score as "-0.0"; a score is a score. */
const num = (s: string | undefined): number => Number(s) + 0;

function caught(vector: string): unknown {
  try {
    scoreCvss(vector);
  } catch (e) {
    return e;
  }
  throw new Error(`no error for ${JSON.stringify(vector)}`);
}

/** Whether the vector sets a temporal, threat, environmental or supplemental metric (to other than X/ND). */
const hasNonBaseMetrics = (vector: string, version: CvssVersion): boolean => {
  const table = CVSS_METRICS[version];
  return vector
    .split('/')
    .map((p) => p.split(':'))
    .some(([k, v]) => table.get(k ?? '')?.base === false && v !== 'X' && v !== 'ND');
};

describe('scoreCvss: Red Hat cvss test vectors', () => {
  it('agrees on the base score of every v2, v3.0 and v3.1 row (5,973)', () => {
    const rows = readCsv(...CSV_DIR, 'cvss_v2_v3_vectors_expected.csv');
    expect(rows).toHaveLength(5973);
    const perVersion: Record<string, number> = {};
    const wrong: string[] = [];
    for (const r of rows) {
      const vector = r.vector ?? '';
      const s = scoreCvss(vector);
      perVersion[s.version] = (perVersion[s.version] ?? 0) + 1;
      if (s.version !== r.cvss_version) wrong.push(`${vector}: version ${s.version}, want ${r.cvss_version}`);
      if (s.baseScore !== num(r.base)) wrong.push(`${vector}: base ${s.baseScore}, want ${r.base}`);
      if (s.severity !== cvssSeverity(s.version, s.baseScore))
        wrong.push(`${vector}: severity ${s.severity}`);
    }
    expect(wrong).toEqual([]);
    expect(perVersion).toEqual({ '2.0': 758, '3.0': 2623, '3.1': 2592 });
    // Among them, vectors with temporal/environmental metrics: the base score is still the base score.
    const withOthers = rows.filter((r) => hasNonBaseMetrics(r.vector ?? '', r.cvss_version as CvssVersion));
    expect(withOthers).toHaveLength(15);
  });

  it('agrees on the score of every v4.0 row (1,694), threat/environmental/supplemental ones included', () => {
    const rows = readCsv(...CSV_DIR, 'cvss_v4_vectors_expected.csv');
    expect(rows).toHaveLength(1694);
    const wrong = rows
      .map((r) => ({ vector: r.vector ?? '', want: num(r.score), s: scoreCvss(r.vector ?? '') }))
      .filter(({ want, s }) => s.version !== '4.0' || s.baseScore !== want)
      .map(({ vector, want, s }) => `${vector}: ${s.version} ${s.baseScore}, want ${want}`);
    expect(wrong).toEqual([]);
  });

  it('the original vectors_* files hold nothing the CSVs lack (same vectors, same base scores)', () => {
    const files: Record<string, number> = {
      vectors_calculator2: 5,
      vectors_calculator3: 2,
      vectors_cvsslib2: 24,
      vectors_cvsslib3: 29,
      vectors_simple2: 729,
      vectors_simple3: 2592,
      vectors_simple31: 2592,
      vectors_security4: 54,
      vectors_simple4: 1058,
      vectors_supplemental4: 576,
      vectors_threat4: 6,
    };
    const csv = new Map<string, string>();
    for (const r of readCsv(...CSV_DIR, 'cvss_v2_v3_vectors_expected.csv')) {
      csv.set(`${r.source_file} ${r.vector}`, r.base ?? '');
    }
    for (const r of readCsv(...CSV_DIR, 'cvss_v4_vectors_expected.csv')) {
      csv.set(`${r.source_file} ${r.vector}`, r.score ?? '');
    }
    const problems: string[] = [];
    let lines = 0;
    for (const [file, count] of Object.entries(files)) {
      const text = readFixture('cvss-vectors', 'redhat-cvss-tests', file);
      const rows = text.split('\n').filter((l) => l.trim() !== '');
      expect(rows, file).toHaveLength(count);
      for (const line of rows) {
        lines++;
        // "vector - (base, temporal, environmental)", "vector - (score,)" or "vector - score"
        const m = /^(\S+) - \(?\s*(-?[\d.]+)/.exec(line);
        if (!m) {
          problems.push(`${file}: unreadable line ${line}`);
          continue;
        }
        const [, vector = '', base = ''] = m;
        const inCsv = csv.get(`${file} ${vector}`);
        if (inCsv === undefined || num(inCsv) !== num(base))
          problems.push(`${file}: ${line} (csv: ${inCsv})`);
      }
    }
    expect(problems).toEqual([]);
    expect(lines).toBe(5973 + 1694);
  });
});

/**
 * Unambiguous vulnrichment rows (one stated score) whose stated score is
 * neither our computed base score nor the vector's temporal/environmental
 * score. Each is the publisher's arithmetic: the v2/v3.x base tables above
 * are exhaustive, and FIRST's v4 reference algorithm (cvss4-first.test.ts)
 * gives our v4 scores.
 */
const MISSTATED: Readonly<Record<string, { stated: number; computed: number }>> = {
  'CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N': { stated: 4.6, computed: 3.5 },
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N': { stated: 7.8, computed: 7.9 },
  'CVSS:3.1/AV:P/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H': { stated: 7.4, computed: 7.3 },
  // Temporal metrics present, but the stated score is neither base (4.8) nor temporal (4.0).
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N/E:U/RL:O/RC:R': { stated: 4.4, computed: 4.8 },
  // Neither base (4.3) nor temporal (3.9).
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N/E:P/RL:X/RC:R': { stated: 4.6, computed: 4.3 },
  'CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:H/VA:N/SC:N/SI:N/SA:N': { stated: 5.6, computed: 5.7 },
  'CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:N/RE:L/U:Green': {
    stated: 5,
    computed: 5.1,
  },
};

/**
 * The library's score of the whole vector (temporal or environmental when the
 * vector has such metrics): what many v3.1 publishers put in `baseScore`.
 */
function overallScore(vector: string): number {
  const { Cvss2, Cvss3P0, Cvss3P1 } = cvssCalculator;
  if (vector.startsWith('CVSS:3.1/')) return new Cvss3P1(vector).calculateScores().overall;
  if (vector.startsWith('CVSS:3.0/')) return new Cvss3P0(vector).calculateScores().overall;
  return new Cvss2(vector).calculateScores().overall;
}

describe('scoreCvss: scores stated by CNAs and CISA-ADP (vulnrichment, 2,821 distinct vectors)', () => {
  const rows = readCsv(...CSV_DIR, 'realworld_vulnrichment_vectors_stated_scores.csv');
  const VERSION_OF: Record<string, CvssVersion> = {
    cvssV2_0: '2.0',
    cvssV3_0: '3.0',
    cvssV3_1: '3.1',
    cvssV4_0: '4.0',
  };
  const scored = rows.map((r) => {
    const s = scoreCvss(r.vector ?? '');
    // "8.5/HIGHx1;4.9/MEDIUMx1": the other scores stated for the same vector, with their counts
    const others = (r.conflicting_stated_scores ?? '')
      .split(';')
      .filter((c) => c !== '')
      .map((c) => Number(c.split('/')[0]));
    return { row: r, s, stated: Number(r.stated_base_score), others };
  });

  it('every real-world vector is valid and of the version its metric says', () => {
    expect(rows).toHaveLength(2821);
    const counts: Record<string, number> = {};
    for (const { row, s } of scored) {
      expect(s.version, row.vector).toBe(VERSION_OF[row.metric_type ?? '']);
      counts[s.version] = (counts[s.version] ?? 0) + 1;
    }
    expect(counts).toEqual({ '2.0': 70, '3.0': 352, '3.1': 1836, '4.0': 563 });
  });

  it('agrees with every unambiguous stated score, except the listed publisher errors and stated temporal scores', () => {
    const unambiguous = scored.filter((x) => x.others.length === 0);
    expect(unambiguous).toHaveLength(2821 - 45);
    let agree = 0;
    const temporalStated: string[] = [];
    const unexplained: Record<string, { stated: number; computed: number }> = {};
    for (const { row, s, stated } of unambiguous) {
      if (s.baseScore === stated) {
        agree++;
        continue;
      }
      // v3.x only: v4's score of the whole vector *is* its base score.
      if (
        s.version !== '4.0' &&
        hasNonBaseMetrics(s.vector, s.version) &&
        overallScore(s.vector) === stated
      ) {
        temporalStated.push(`${row.metric_type} ${s.vector}`);
        continue;
      }
      unexplained[s.vector] = { stated, computed: s.baseScore };
    }
    expect(unexplained).toEqual(MISSTATED);
    // Publishers (v3.1 only, here) that put the temporal/environmental score in baseScore.
    expect(temporalStated).toHaveLength(165);
    expect(temporalStated.every((t) => t.startsWith('cvssV3_1 '))).toBe(true);
    expect(agree).toBe(2776 - 165 - Object.keys(MISSTATED).length);
  });

  it('agrees with the stated severity wherever it agrees with the stated score (v3.x, v4.0)', () => {
    const wrong = scored
      .filter(({ row, s, stated }) => row.stated_severity !== '' && s.baseScore === stated)
      .filter(({ row, s }) => s.severity.toUpperCase() !== row.stated_severity)
      .map(({ row, s }) => `${row.vector}: ${s.severity}, stated ${row.stated_severity}`);
    expect(wrong).toEqual([]);
  });

  /**
   * 45 vectors were published with more than one score (the CSV's
   * stated_base_score is the most frequent one). Ours is always one of the
   * stated scores. It is also the most frequent one for 37; for 6 the most
   * frequent is the temporal score (checked against the library's), and for
   * the two below the majority misstated it (the v3.1 base table is exhaustive;
   * the v4 score is FIRST's algorithm's, see cvss4-first.test.ts).
   */
  const MAJORITY_MISSTATED: Readonly<Record<string, { stated: number; computed: number }>> = {
    'CVSS:3.1/AV:A/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H': { stated: 8.5, computed: 8.4 },
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N': { stated: 2, computed: 5.1 },
  };

  it('is one of the stated scores for every vector with conflicting stated scores', () => {
    const conflicting = scored.filter((x) => x.others.length > 0);
    expect(conflicting).toHaveLength(45);
    const notAmong = conflicting
      .filter(({ s, stated, others }) => ![stated, ...others].includes(s.baseScore))
      .map(
        ({ s, stated, others }) => `${s.vector}: ${s.baseScore}, stated ${[stated, ...others].join(', ')}`,
      );
    expect(notAmong).toEqual([]);

    let majority = 0;
    let temporalMajority = 0;
    const misstated: Record<string, { stated: number; computed: number }> = {};
    for (const { s, stated } of conflicting) {
      if (s.baseScore === stated) majority++;
      else if (
        s.version !== '4.0' &&
        hasNonBaseMetrics(s.vector, s.version) &&
        overallScore(s.vector) === stated
      ) {
        temporalMajority++;
      } else misstated[s.vector] = { stated, computed: s.baseScore };
    }
    expect({ majority, temporalMajority }).toEqual({ majority: 37, temporalMajority: 6 });
    expect(misstated).toEqual(MAJORITY_MISSTATED);
  });
});

describe('scoreCvss: forms, versions and what the score means', () => {
  it('reads v2 bare, in parentheses and with a CVSS:2.0 prefix', () => {
    for (const v of [
      'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      '(AV:N/AC:L/Au:N/C:P/I:P/A:P)',
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
    ]) {
      expect(scoreCvss(v)).toEqual({ version: '2.0', vector: v, baseScore: 7.5, severity: 'high' });
    }
  });

  it('keeps the vector as given, trimmed', () => {
    const s = scoreCvss('  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n');
    expect(s).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      baseScore: 9.8,
      severity: 'critical',
    });
  });

  it('tells v3.0 from v3.1 by the prefix', () => {
    const body = 'AV:L/AC:H/PR:H/UI:N/S:C/C:H/I:H/A:H';
    expect(scoreCvss(`CVSS:3.0/${body}`)).toMatchObject({ version: '3.0', baseScore: 7.5 });
    expect(scoreCvss(`CVSS:3.1/${body}`)).toMatchObject({ version: '3.1', baseScore: 7.5 });
  });

  it('accepts metrics in any order', () => {
    const inOrder = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
    const shuffled = scoreCvss('CVSS:4.0/E:U/SA:N/VC:H/AV:N/AC:L/AT:N/PR:N/UI:N/VI:H/VA:H/SC:N/SI:N');
    expect(shuffled.baseScore).toBe(inOrder.baseScore);
    expect(scoreCvss('CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X').baseScore).toBe(3.8);
  });

  it('v2/v3.x: temporal and environmental metrics do not change the base score', () => {
    const base = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    expect(scoreCvss(`${base}/E:U/RL:O/RC:U/CR:L/IR:L/AR:L/MAV:P/MC:N`).baseScore).toBe(9.8);
    expect(scoreCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P/E:U/RL:OF/RC:UC/CDP:N/TD:N').baseScore).toBe(7.5);
  });

  it('v4.0: the score is of the whole vector (threat and environmental metrics count, supplemental ones do not)', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(scoreCvss(base)).toMatchObject({ baseScore: 9.3, severity: 'critical' });
    expect(scoreCvss(`${base}/E:U`)).toMatchObject({ baseScore: 8.1, severity: 'high' });
    expect(scoreCvss(`${base}/S:P/AU:Y/R:I/V:C/RE:H/U:Red`).baseScore).toBe(9.3);
  });

  it('remembers valid vectors (frozen results, keyed by the trimmed vector), never invalid ones', () => {
    const v = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N';
    const first = scoreCvss(v);
    expect(scoreCvss(` ${v} `)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const bad = `${v}/X:1`;
    expect(caught(bad)).not.toBe(caught(bad));
  });

  it('returns 0, never -0, for a v2 vector without impact, rated low on NVD v2 scale', () => {
    const s = scoreCvss('AV:L/AC:H/Au:M/C:N/I:N/A:N');
    expect(Object.is(s.baseScore, 0)).toBe(true);
    expect(s.severity).toBe('low');
  });
});

describe('scoreCvss: invalid vectors throw PL_CVSS_INVALID with the reason', () => {
  const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
  const V2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P';
  const cases: [vector: string, reason: string][] = [
    // garbage and empty
    ['', 'empty vector'],
    ['   ', 'empty vector'],
    ['garbage', '"garbage" is not METRIC:VALUE'],
    ['CVSS:3.1', 'no metrics'],
    ['CVSS:3.1/', 'no metrics'],
    ['()', 'no metrics'],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown CVSS version prefix "CVSS:3.2"'],
    ['CVSS:31/AV:N', 'unknown CVSS version prefix "CVSS:31"'],
    [`${V31}/`, 'empty metric'],
    [V31.replace('/AC:L', '//AC:L'), 'empty metric'],
    [`${V2.slice(0, -2)}`, '"A" is not METRIC:VALUE'],
    [`${V2}:P`, '"A:P:P" is not METRIC:VALUE'],
    [':N/' + V2, '":N" is not METRIC:VALUE'],
    // unknown metric
    [`${V31}/ZZ:1`, 'unknown metric "ZZ" for CVSS v3.1'],
    ['CVSS:3.1/Attack Vector:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown metric "Attack Vector"'],
    ['CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown metric "AT" for CVSS v3.1'],
    ['CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P', 'unknown metric "Au" for CVSS v3.1'],
    [`${V4}/MS:U`, 'unknown metric "MS" for CVSS v4.0'],
    [`${V2}/MAV:N`, 'unknown metric "MAV" for CVSS v2.0'],
    // a v3 vector without its prefix is read as v2
    [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'unknown metric "PR" for CVSS v2.0 (a vector without a "CVSS:x.y/"',
    ],
    ['cvss:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h', 'unknown metric "cvss" for CVSS v2.0'],
    [`(${V2}`, 'unknown metric "(AV"'],
    // duplicate metric (the library lets the last one win)
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric AV is given more than once'],
    [`${V31}/E:U/E:P`, 'metric E is given more than once'],
    [`${V4}/AV:N`, 'metric AV is given more than once'],
    // bad value
    [V31.replace('A:H', 'A:Q'), 'value "Q" is not allowed for A in CVSS v3.1 (allowed: H, L, N)'],
    [V31.replace('AV:N', 'AV:n'), 'value "n" is not allowed for AV'],
    [V31.replace('AV:N', 'AV:N '), 'value "N " is not allowed for AV'],
    [V31.replace('AV:N', 'AV:Network'), 'value "Network" is not allowed for AV'],
    [V31.replace('AV:N', 'AV:X'), 'value "X" is not allowed for AV'], // base metrics have no "not defined"
    [V2.replace('AV:N', 'AV:ND'), 'value "ND" is not allowed for AV'],
    [`${V2}/E:X`, 'value "X" is not allowed for E in CVSS v2.0'],
    [`${V31}/E:ND`, 'value "ND" is not allowed for E in CVSS v3.1'],
    [V4.replace('SI:N', 'SI:S'), 'value "S" is not allowed for SI in CVSS v4.0'], // Safety is MSI/MSA only
    [`${V4}/MSC:S`, 'value "S" is not allowed for MSC'],
    [`${V4}/U:red`, 'value "red" is not allowed for U'],
    [V4.replace('UI:N', 'UI:R'), 'value "R" is not allowed for UI in CVSS v4.0'],
    // missing base metrics
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'missing base metric A for CVSS v3.1'],
    ['CVSS:3.1/E:U/RL:O/RC:C', 'missing base metrics AV, AC, PR, UI, S, C, I, A for CVSS v3.1'],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H', 'missing base metrics AT, SC, SI, SA for CVSS v4.0'],
    ['AV:N/AC:L/C:P/I:P/A:P', 'missing base metric Au for CVSS v2.0'],
  ];

  it.each(cases)('%j → %s', (vector, reason) => {
    const e = caught(vector);
    expect(isPatchloopError(e)).toBe(true);
    if (!isPatchloopError(e)) return;
    expect(e.code).toBe('PL_CVSS_INVALID');
    expect(e.details.reason).toContain(reason);
    expect(e.message).toContain(reason);
    expect(e.details.vector).toBe(vector.trim());
  });

  it('names the offending metric and value in the details', () => {
    const e = caught(V31.replace('A:H', 'A:Q'));
    expect(isPatchloopError(e) && e.details).toMatchObject({ version: '3.1', metric: 'A', value: 'Q' });
    const m = caught('CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H');
    expect(isPatchloopError(m) && m.details).toMatchObject({
      version: '4.0',
      missing: ['AT', 'SC', 'SI', 'SA'],
    });
  });

  it('rejects a non-string as PL_CVSS_INVALID, not a TypeError', () => {
    const e = caught(undefined as unknown as string);
    expect(isPatchloopError(e) && e.code).toBe('PL_CVSS_INVALID');
  });

  it('the library alone is not strict enough: it scores what we reject (why vector.ts validates)', () => {
    const { Cvss3P1, Cvss4P0 } = cvssCalculator;
    // duplicate: the last value wins (8.4 = AV:L)
    expect(new Cvss3P1('CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').calculateScores().base).toBe(8.4);
    // missing base metric: a result without a base score instead of an error
    expect(new Cvss3P1('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H').calculateScores().base).toBeUndefined();
    // Safety in a base metric: taken as a defined base metric
    expect(new Cvss4P0(V4.replace('SI:N', 'SI:S')).isBaseFullyDefined()).toBe(true);
    // garbage: a TypeError, not a clear error
    expect(() => new Cvss3P1('garbage')).toThrow(TypeError);
  });
});

describe('metric tables (metrics.ts) and the library', () => {
  it('every metric value we accept is one the library knows', () => {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;
    const libs = { '2.0': new Cvss2(), '3.0': new Cvss3P0(), '3.1': new Cvss3P1(), '4.0': new Cvss4P0() };
    const unknown: string[] = [];
    const extra: string[] = [];
    for (const [version, lib] of Object.entries(libs) as [CvssVersion, (typeof libs)['2.0']][]) {
      const ours = CVSS_METRICS[version];
      for (const [, components] of lib.getRegisteredComponents()) {
        for (const c of components) {
          const spec = ours.get(c.shortName);
          if (!spec) {
            unknown.push(`${version} ${c.shortName}`);
            continue;
          }
          for (const v of c.values)
            if (!spec.values.includes(v.shortName)) extra.push(`${version} ${c.shortName}:${v.shortName}`);
          for (const v of spec.values) {
            if (!c.values.some((x) => x.shortName === v)) unknown.push(`${version} ${c.shortName}:${v}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
    // What the library allows beyond the specifications: "not defined" for base metrics, Safety for SC/SI/SA.
    const baseKeys = (version: CvssVersion) => [...CVSS_METRICS[version].values()].filter((s) => s.base);
    const expected = [
      ...baseKeys('2.0').map((s) => `2.0 ${s.key}:ND`),
      ...baseKeys('3.0').map((s) => `3.0 ${s.key}:X`),
      ...baseKeys('3.1').map((s) => `3.1 ${s.key}:X`),
      ...baseKeys('4.0').map((s) => `4.0 ${s.key}:X`),
      '4.0 SC:S',
      '4.0 SI:S',
      '4.0 SA:S',
    ];
    expect(extra.sort()).toEqual(expected.sort());
  });
});

describe('severity scales', () => {
  it('FIRST qualitative scale for v3.0, v3.1, v4.0', () => {
    const cases: [number, string][] = [
      [0, 'none'],
      [0.1, 'low'],
      [3.9, 'low'],
      [4, 'medium'],
      [6.9, 'medium'],
      [7, 'high'],
      [8.9, 'high'],
      [9, 'critical'],
      [10, 'critical'],
    ];
    for (const [score, severity] of cases) {
      expect(severityFirst(score), String(score)).toBe(severity);
      for (const v of ['3.0', '3.1', '4.0'] as const) expect(cvssSeverity(v, score)).toBe(severity);
    }
  });

  it("NVD's v2 scale: low, medium, high only", () => {
    const cases: [number, string][] = [
      [0, 'low'],
      [3.9, 'low'],
      [4, 'medium'],
      [6.9, 'medium'],
      [7, 'high'],
      [10, 'high'],
    ];
    for (const [score, severity] of cases) {
      expect(severityNvdV2(score), String(score)).toBe(severity);
      expect(cvssSeverity('2.0', score)).toBe(severity);
    }
    expect(scoreCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C').severity).toBe('high'); // 10.0
  });
});
