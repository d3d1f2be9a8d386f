/**
 * assessRisk, branch by branch, with the default weights (model.ts): severity
 * 5 points per CVSS point; KEV 35, ransomware +10; EPSS 30 × probability, +5
 * from percentile 0.95; multipliers tier0 1.3 / tier1 1.15 / tier2 1 / tier3
 * 0.85, internet-facing 1.25, staging 0.9 / development 0.8 / test 0.75, user
 * risk elevated 1.1 / high 1.2; cut-offs P1 70, P2 40, P3 20.
 */
import { describe, expect, it } from 'vitest';
import { isPatchloopError } from '../error/codes.js';
import {
  DEFAULT_RISK_CONTEXT,
  DEFAULT_RISK_WEIGHTS,
  type RiskContext,
  type RiskInput,
  type RiskResult,
} from './model.js';
import { assessRisk } from './score.js';

const NONE: RiskInput = { severity: null, cvss: null, kev: null, epss: null };
const HOST: RiskContext = DEFAULT_RISK_CONTEXT;
const sum = (r: RiskResult): number => Math.round(r.factors.reduce((a, f) => a + f.points, 0) * 10) / 10;
const points = (r: RiskResult, name: string): number | undefined =>
  r.factors.find((f) => f.name === name)?.points;

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isPatchloopError(e) ? e.code : 'not a PatchloopError';
  }
  return undefined;
}

describe('severity', () => {
  it('uses the CVSS base score: 9.8 × 5 = 49', () => {
    const r = assessRisk({ ...NONE, cvss: { score: 9.8, version: '3.1' }, severity: 'low' }, HOST);
    expect(r.score).toBe(49);
    expect(r.factors[0]).toEqual({
      name: 'severity',
      value: 'CVSS 3.1 9.8',
      points: 49,
      explanation: 'CVSS 3.1 base score 9.8 × 5 points',
    });
    expect(r.priority).toBe('P2');
  });

  it('falls back to the vendor severity: high counts as CVSS 8 → 40', () => {
    const r = assessRisk({ ...NONE, severity: 'high' }, HOST);
    expect(r.score).toBe(40);
    expect(r.factors[0]?.value).toBe('vendor high');
    expect(r.factors[0]?.explanation).toContain('vendor severity high counts as CVSS 8');
  });

  it('counts neither CVSS nor vendor severity as the documented unknown value (CVSS 5 → 25)', () => {
    const r = assessRisk(NONE, HOST);
    expect(r.score).toBe(25);
    expect(r.factors[0]?.value).toBe('unknown');
    expect(r.priority).toBe('P3');
  });

  it('counts a non-security advisory without severity as CVSS 0', () => {
    const r = assessRisk({ ...NONE, advisory: { classification: 'bugfix' } }, HOST);
    expect(r.score).toBe(0);
    expect(r.priority).toBe('P4');
    expect(r.factors[0]?.value).toBe('bugfix advisory');
    expect(r.explanation).toBe('Risk 0.0 = 0. P4: score < 20.');
    // …but a security advisory without data is unknown, not zero.
    expect(assessRisk({ ...NONE, advisory: { classification: 'security' } }, HOST).score).toBe(25);
  });
});

describe('exploitation: KEV and EPSS', () => {
  const cvss = { score: 7.5, version: '3.1' as const };

  it('adds 35 for KEV and 10 more for known ransomware use', () => {
    expect(points(assessRisk({ ...NONE, cvss, kev: { ransomware: false } }, HOST), 'kev')).toBe(35);
    const r = assessRisk({ ...NONE, cvss, kev: { ransomware: true } }, HOST);
    expect(points(r, 'kev')).toBe(45);
    expect(r.score).toBe(82.5);
    expect(r.factors[1]?.value).toBe('listed (ransomware)');
  });

  it('scales EPSS by probability and adds 5 from the 95th percentile', () => {
    expect(points(assessRisk({ ...NONE, cvss, epss: { score: 0.5, percentile: 0.94 } }, HOST), 'epss')).toBe(
      15,
    );
    expect(points(assessRisk({ ...NONE, cvss, epss: { score: 0.5, percentile: 0.95 } }, HOST), 'epss')).toBe(
      20,
    );
  });

  it('does not add EPSS on top of KEV: EPSS only adds what exceeds the KEV points', () => {
    // EPSS 0.9 at the 99th percentile is worth 32: less than KEV's 35, so it adds 0.
    const kev = assessRisk(
      { ...NONE, cvss, kev: { ransomware: false }, epss: { score: 0.9, percentile: 0.99 } },
      HOST,
    );
    expect(points(kev, 'epss')).toBe(0);
    expect(kev.score).toBe(72.5);
    // With a larger EPSS weight (50 × 0.9 + 5 = 50), EPSS adds the 15 above KEV's 35.
    const w = { ...DEFAULT_RISK_WEIGHTS, epssPoints: 50 };
    const big = assessRisk(
      { ...NONE, cvss, kev: { ransomware: true }, epss: { score: 0.9, percentile: 0.99 } },
      HOST,
      w,
    );
    expect(points(big, 'epss')).toBe(15);
    expect(big.score).toBe(37.5 + 45 + 15);
  });

  it('explains missing KEV and EPSS with zero points', () => {
    const r = assessRisk({ ...NONE, cvss }, HOST);
    expect(r.factors.slice(1, 3)).toEqual([
      { name: 'kev', value: 'not listed', points: 0, explanation: "not in CISA's KEV catalog" },
      { name: 'epss', value: 'none', points: 0, explanation: 'no EPSS score' },
    ]);
  });
});

describe('host context', () => {
  const input: RiskInput = { ...NONE, cvss: { score: 8, version: '3.1' } }; // 40 points

  it('shows each multiplier as the points it adds, applied in order', () => {
    const r = assessRisk(input, {
      criticality: 'tier0',
      environment: 'production',
      internetFacing: true,
      userRisk: 'high',
    });
    // 40 × 1.3 = 52 (+12); × 1.25 = 65 (+13); × 1 (production); × 1.2 = 78 (+13).
    expect(r.factors.map((f) => [f.name, f.value, f.points])).toEqual([
      ['severity', 'CVSS 3.1 8.0', 40],
      ['kev', 'not listed', 0],
      ['epss', 'none', 0],
      ['criticality', 'tier0', 12],
      ['exposure', 'internet-facing', 13],
      ['environment', 'production', 0],
      ['user-risk', 'high', 13],
    ]);
    expect(r.score).toBe(78);
    expect(r.explanation).toBe(
      'Risk 78.0 = CVSS 3.1 8.0 +40.0; tier0 host ×1.3 +12.0; internet-facing ×1.25 +13.0; high user risk ×1.2 +13.0. P1: score ≥ 70.',
    );
  });

  it('lowers the score for tier3, non-production environments; unknown environment is neutral', () => {
    const r = assessRisk(input, {
      criticality: 'tier3',
      environment: 'test',
      internetFacing: false,
      userRisk: 'elevated',
    });
    // 40 × 0.85 = 34 (-6); × 1 internal; × 0.75 = 25.5 (-8.5); × 1.1 = 28.05 (+2.55 → shown 2.5 or 2.6, sum 28.1).
    expect(r.score).toBe(28.1);
    expect(sum(r)).toBe(28.1);
    expect(points(r, 'criticality')).toBe(-6);
    expect(points(r, 'environment')).toBe(-8.5);
    expect(assessRisk(input, { ...HOST, environment: null }).factors[5]?.value).toBe('unknown');
    expect(assessRisk(input, { ...HOST, environment: 'staging' }).score).toBe(36);
    expect(assessRisk(input, { ...HOST, environment: 'development' }).score).toBe(32);
  });

  it('caps at 100 with a cap factor so that points still add up', () => {
    const r = assessRisk(
      { ...NONE, cvss: { score: 10, version: '4.0' }, kev: { ransomware: true } },
      { criticality: 'tier0', environment: 'production', internetFacing: true, userRisk: 'high' },
    );
    // 95 × 1.3 × 1.25 × 1.2 = 185.25 → capped: the cap factor is 100 - 185.25 = -85.25.
    expect(r.score).toBe(100);
    expect(r.factors.at(-1)).toMatchObject({ name: 'cap', value: '100' });
    expect(sum(r)).toBe(100);
    expect(r.explanation).toContain('cap at 100 -85.');
  });
});

describe('fix status', () => {
  it('says that no fix exists without lowering the score', () => {
    const base = { ...NONE, cvss: { score: 9.8, version: '3.1' as const } };
    const unfixed = assessRisk({ ...base, status: 'unfixed' }, HOST);
    const fixable = assessRisk({ ...base, status: 'fixable' }, HOST);
    expect(unfixed.score).toBe(fixable.score);
    expect(unfixed.factors.at(-1)).toMatchObject({ name: 'fix', value: 'none available', points: 0 });
    expect(fixable.factors.at(-1)).toMatchObject({ name: 'fix', value: 'available', points: 0 });
    expect(unfixed.explanation).toBe(
      'Risk 49.0 = CVSS 3.1 9.8 +49.0. P2: score ≥ 40. No fix is available yet.',
    );
    expect(assessRisk(base, HOST).factors.some((f) => f.name === 'fix')).toBe(false);
  });
});

describe('input validation', () => {
  it.each<[string, RiskInput, RiskContext]>([
    ['CVSS above 10', { ...NONE, cvss: { score: 10.1, version: '3.1' } }, HOST],
    ['CVSS NaN', { ...NONE, cvss: { score: NaN, version: '3.1' } }, HOST],
    ['EPSS above 1', { ...NONE, epss: { score: 1.5, percentile: 0.5 } }, HOST],
    ['percentile below 0', { ...NONE, epss: { score: 0.5, percentile: -0.1 } }, HOST],
    ['unknown severity', { ...NONE, severity: 'severe' as never }, HOST],
    ['unknown criticality', NONE, { ...HOST, criticality: 'tier9' as never }],
    ['unknown environment', NONE, { ...HOST, environment: 'prod' as never }],
    ['non-boolean exposure', NONE, { ...HOST, internetFacing: 'yes' as never }],
    ['unknown user risk', NONE, { ...HOST, userRisk: 'vip' as never }],
  ])('refuses %s with PL_RISK_INPUT_INVALID', (_what, input, context) => {
    expect(code(() => assessRisk(input, context))).toBe('PL_RISK_INPUT_INVALID');
  });
});
