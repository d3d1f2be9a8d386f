/**
 * Cross-check of CVSS v4.0 scoring against an independent oracle: a port of
 * FIRST's reference calculator (FIRSTdotorg/cvss-v4-calculator, cvss_score.js)
 * that reads FIRST's own lookup tables in place from the shared fixtures
 * (cvss4_macrovector_tables.json: the 270 MacroVector scores, the highest
 * severity vectors of each EQ level, and the EQ depths).
 *
 * The oracle lives here, in a test, on purpose: production scoring is the
 * library's (score.ts). The oracle is first proven against Red Hat's 1,694
 * expected v4 scores, then used where no expected score exists: every v4
 * vector CNAs published in vulnrichment, and seeded random vectors with
 * threat, environmental and supplemental metrics.
 */
import { describe, expect, it } from 'vitest';
import { readCsv, readFixture } from '@patchloop/test-support';
import { createRng, testSeed } from '../../test/random.js';
import { CVSS_METRICS } from './metrics.js';
import { scoreCvss } from './score.js';

interface FirstTables {
  cvssLookup_global: Record<string, number>;
  maxComposed: {
    eq1: Record<string, string[]>;
    eq2: Record<string, string[]>;
    eq3: Record<string, Record<string, string[]>>;
    eq4: Record<string, string[]>;
    eq5: Record<string, string[]>;
  };
  maxSeverity: {
    eq1: Record<string, number>;
    eq2: Record<string, number>;
    eq3eq6: Record<string, Record<string, number>>;
    eq4: Record<string, number>;
  };
}

const tables = JSON.parse(
  readFixture('cvss-vectors', 'first-cvss4-calculator', 'cvss4_macrovector_tables.json'),
) as FirstTables;

type Selected = ReadonlyMap<string, string>;

function at<T>(record: Record<string, T>, key: string | number): T {
  const v = record[String(key)];
  if (v === undefined) throw new Error(`FIRST tables: no entry ${key}`);
  return v;
}

/** FIRST's m(): the effective value, with threat/environmental defaults and modified metrics applied. */
function m(sel: Selected, metric: string): string {
  const selected = sel.get(metric) ?? 'X';
  if (metric === 'E' && selected === 'X') return 'A';
  if ((metric === 'CR' || metric === 'IR' || metric === 'AR') && selected === 'X') return 'H';
  const modified = sel.get(`M${metric}`);
  if (modified !== undefined && modified !== 'X') return modified;
  return selected;
}

function macroVector(sel: Selected): string {
  const av = m(sel, 'AV');
  const pr = m(sel, 'PR');
  const ui = m(sel, 'UI');
  let eq1: number;
  if (av === 'N' && pr === 'N' && ui === 'N') eq1 = 0;
  else if ((av === 'N' || pr === 'N' || ui === 'N') && av !== 'P') eq1 = 1;
  else eq1 = 2;

  const eq2 = m(sel, 'AC') === 'L' && m(sel, 'AT') === 'N' ? 0 : 1;

  const [vc, vi, va] = [m(sel, 'VC'), m(sel, 'VI'), m(sel, 'VA')];
  let eq3: number;
  if (vc === 'H' && vi === 'H') eq3 = 0;
  else if (vc === 'H' || vi === 'H' || va === 'H') eq3 = 1;
  else eq3 = 2;

  let eq4: number;
  if (m(sel, 'MSI') === 'S' || m(sel, 'MSA') === 'S') eq4 = 0;
  else if (m(sel, 'SC') === 'H' || m(sel, 'SI') === 'H' || m(sel, 'SA') === 'H') eq4 = 1;
  else eq4 = 2;

  const e = m(sel, 'E');
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2;

  const eq6 =
    (m(sel, 'CR') === 'H' && vc === 'H') ||
    (m(sel, 'IR') === 'H' && vi === 'H') ||
    (m(sel, 'AR') === 'H' && va === 'H')
      ? 0
      : 1;
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`;
}

const LEVELS: Record<string, Record<string, number>> = {
  AV: { N: 0.0, A: 0.1, L: 0.2, P: 0.3 },
  PR: { N: 0.0, L: 0.1, H: 0.2 },
  UI: { N: 0.0, P: 0.1, A: 0.2 },
  AC: { L: 0.0, H: 0.1 },
  AT: { N: 0.0, P: 0.1 },
  VC: { H: 0.0, L: 0.1, N: 0.2 },
  VI: { H: 0.0, L: 0.1, N: 0.2 },
  VA: { H: 0.0, L: 0.1, N: 0.2 },
  SC: { H: 0.1, L: 0.2, N: 0.3 },
  SI: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  SA: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  CR: { H: 0.0, M: 0.1, L: 0.2 },
  IR: { H: 0.0, M: 0.1, L: 0.2 },
  AR: { H: 0.0, M: 0.1, L: 0.2 },
};
const DISTANCE_METRICS = Object.keys(LEVELS);

function parseMaxVector(s: string): Map<string, string> {
  return new Map(
    s
      .split('/')
      .filter((p) => p !== '')
      .map((p) => p.split(':') as [string, string]),
  );
}

/**
 * The highest-severity vectors of a MacroVector, parsed, in FIRST's order. They depend on the
 * MacroVector alone (270 of them), so each list is built once and reused for every vector.
 */
const highestSeverity = new Map<string, Map<string, string>[]>();
function highestSeverityVectors(mv: string): Map<string, string>[] {
  const known = highestSeverity.get(mv);
  if (known !== undefined) return known;
  const [eq1, eq2, eq3, eq4, eq5, eq6] = [...mv];
  const mc = tables.maxComposed;
  const maxVectors: Map<string, string>[] = [];
  for (const a of at(mc.eq1, eq1 ?? '?'))
    for (const b of at(mc.eq2, eq2 ?? '?'))
      for (const c of at(at(mc.eq3, eq3 ?? '?'), eq6 ?? '?'))
        for (const d of at(mc.eq4, eq4 ?? '?'))
          for (const e of at(mc.eq5, eq5 ?? '?')) maxVectors.push(parseMaxVector(a + b + c + d + e));
  highestSeverity.set(mv, maxVectors);
  return maxVectors;
}

/** FIRST's cvss_score(), step by step (comments are the algorithm's, from the v4.0 specification §8.2). */
function firstScore(sel: Selected): number {
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => m(sel, k) === 'N')) return 0;
  const mv = macroVector(sel);
  const lookup = tables.cvssLookup_global;
  const value = at(lookup, mv);
  const [eq1, eq2, eq3, eq4, eq5, eq6] = [...mv].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const macro = (a: number, b: number, c: number, d: number, e: number, f: number): string =>
    `${a}${b}${c}${d}${e}${f}`;

  // 1a. The maximal scoring difference: to the next lower MacroVector of each EQ (NaN when there is none).
  const score = (key: string): number => lookup[key] ?? NaN;
  const lowerEq1 = score(macro(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
  const lowerEq2 = score(macro(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
  let lowerEq3eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    const left = score(macro(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
    const right = score(macro(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
    lowerEq3eq6 = left > right ? left : right;
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3eq6 = score(macro(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
  } else if ((eq3 === 0 || eq3 === 1) && eq6 === 1) {
    lowerEq3eq6 = score(macro(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
  } else {
    lowerEq3eq6 = score(macro(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1));
  }
  const lowerEq4 = score(macro(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
  const lowerEq5 = score(macro(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

  // 1b. The severity distance from the first highest-severity vector of the MacroVector not below it.
  let distance: Record<string, number> = {};
  for (const max of highestSeverityVectors(mv)) {
    distance = {};
    for (const k of DISTANCE_METRICS) {
      const levels = at(LEVELS, k);
      distance[k] = at(levels, m(sel, k)) - at(levels, max.get(k) ?? '?');
    }
    if (Object.values(distance).every((d) => d >= 0)) break;
  }
  const d = (k: string): number => at(distance, k);
  const currentEq1 = d('AV') + d('PR') + d('UI');
  const currentEq2 = d('AC') + d('AT');
  const currentEq3eq6 = d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR');
  const currentEq4 = d('SC') + d('SI') + d('SA');

  // 1c/1d. Proportion of the EQ's depth, times the maximal scoring difference.
  const step = 0.1;
  const ms = tables.maxSeverity;
  const parts: [available: number, proportion: number][] = [
    [value - lowerEq1, currentEq1 / (at(ms.eq1, eq1) * step)],
    [value - lowerEq2, currentEq2 / (at(ms.eq2, eq2) * step)],
    [value - lowerEq3eq6, currentEq3eq6 / (at(at(ms.eq3eq6, eq3), eq6) * step)],
    [value - lowerEq4, currentEq4 / (at(ms.eq4, eq4) * step)],
    [value - lowerEq5, 0], // EQ5 has depth 0: the proportion is always 0
  ];
  let existing = 0;
  let sum = 0;
  for (const [available, proportion] of parts) {
    if (Number.isNaN(available)) continue;
    existing++;
    sum += available * proportion;
  }
  // 2/3. The MacroVector's score minus the mean proportional distance, rounded to one decimal.
  let result = value - (existing === 0 ? 0 : sum / existing);
  result = Math.min(10, Math.max(0, result));
  return Math.round((result + 1e-6) * 10) / 10;
}

function selected(vector: string): Map<string, string> {
  const sel = new Map<string, string>();
  for (const part of vector.replace(/^CVSS:4\.0\//, '').split('/')) {
    const [k, v] = part.split(':') as [string, string];
    sel.set(k, v);
  }
  return sel;
}

describe('CVSS v4.0: FIRST reference algorithm (oracle) over FIRST lookup tables', () => {
  it('the tables are the complete FIRST data', () => {
    expect(Object.keys(tables.cvssLookup_global)).toHaveLength(270);
  });

  it('the oracle agrees with every Red Hat expected v4 score (so it can stand in where none exists)', () => {
    const rows = readCsv('cvss-vectors', 'csv', 'cvss_v4_vectors_expected.csv');
    expect(rows).toHaveLength(1694);
    const wrong = rows
      .map((r) => ({
        vector: r.vector ?? '',
        want: Number(r.score),
        got: firstScore(selected(r.vector ?? '')),
      }))
      .filter((r) => r.got !== r.want);
    expect(wrong).toEqual([]);
  });

  it('the library agrees with the oracle on every v4 vector published in vulnrichment', () => {
    const rows = readCsv('cvss-vectors', 'csv', 'realworld_vulnrichment_vectors_stated_scores.csv').filter(
      (r) => r.metric_type === 'cvssV4_0',
    );
    expect(rows).toHaveLength(563);
    const wrong = rows
      .map((r) => r.vector ?? '')
      .map((vector) => ({ vector, oracle: firstScore(selected(vector)), ours: scoreCvss(vector).baseScore }))
      .filter((r) => r.oracle !== r.ours);
    expect(wrong).toEqual([]);
  });

  // 20,000 seeded random vectors, checked in four parts of 5,000 so a slow machine stays within
  // the pure-core timeout and a failure names its part; the seed and the vectors are the same.
  const seed = testSeed();
  const randomVectors = ((): string[] => {
    const rng = createRng(seed);
    const specs = [...CVSS_METRICS['4.0'].values()];
    const vectors: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const parts: string[] = [];
      for (const spec of specs) {
        if (spec.base || rng.chance(0.3)) parts.push(`${spec.key}:${rng.pick(spec.values)}`);
      }
      vectors.push(`CVSS:4.0/${parts.join('/')}`);
    }
    return vectors;
  })();

  it.each([1, 2, 3, 4])(
    'the library agrees with the oracle on seeded random vectors with threat, environmental and supplemental metrics (part %i of 4)',
    (part) => {
      const wrong: string[] = [];
      for (const vector of randomVectors.slice((part - 1) * 5_000, part * 5_000)) {
        const oracle = firstScore(selected(vector));
        const ours = scoreCvss(vector).baseScore;
        if (oracle !== ours) wrong.push(`${vector}: oracle ${oracle}, library ${ours}`);
      }
      expect(wrong, `seed ${seed} (PATCHLOOP_TEST_SEED=${seed} reproduces)`).toEqual([]);
    },
  );
});
