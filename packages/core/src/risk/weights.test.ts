import { describe, expect, it } from 'vitest';
import { isPatchloopError } from '../error/codes.js';
import { DEFAULT_RISK_WEIGHTS } from './model.js';
import { parseRiskWeights } from './weights.js';

function error(partial: unknown): { code: string; message: string } | undefined {
  try {
    parseRiskWeights(partial);
  } catch (e) {
    if (isPatchloopError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe('parseRiskWeights', () => {
  it('returns the defaults for nothing', () => {
    expect(parseRiskWeights(undefined)).toBe(DEFAULT_RISK_WEIGHTS);
    expect(parseRiskWeights(null)).toBe(DEFAULT_RISK_WEIGHTS);
    expect(parseRiskWeights({})).toEqual(DEFAULT_RISK_WEIGHTS);
  });

  it('merges numbers, records and priorities key by key over the defaults', () => {
    const w = parseRiskWeights({
      kevPoints: 40,
      criticality: { tier0: 1.5 },
      priorityCutoffs: { P1: 80 },
      kevMinPriority: 'P3',
    });
    expect(w.kevPoints).toBe(40);
    expect(w.criticality).toEqual({ tier0: 1.5, tier1: 1.15, tier2: 1, tier3: 0.85 });
    expect(w.priorityCutoffs).toEqual({ P1: 80, P2: 40, P3: 20 });
    expect(w.kevMinPriority).toBe('P3');
    expect(w.epssPoints).toBe(DEFAULT_RISK_WEIGHTS.epssPoints);
    expect(DEFAULT_RISK_WEIGHTS.criticality.tier0).toBe(1.3); // defaults untouched
  });

  it.each<[string, unknown, string]>([
    ['not an object', 5, '(root) must be an object'],
    ['an array', [], '(root) must be an object'],
    ['an unknown key', { kevPoint: 1 }, 'kevPoint is not a risk weight'],
    ['a string number', { kevPoints: '35' }, 'kevPoints must be a number in 0–100 (got "35")'],
    ['a negative number', { epssPoints: -1 }, 'epssPoints must be a number in 0–100'],
    ['NaN', { severityPointsPerCvss: NaN }, 'severityPointsPerCvss must be a number in 0–10'],
    ['a percentile above 1', { epssTopPercentile: 95 }, 'epssTopPercentile must be a number in 0–1'],
    ['a zero multiplier', { exposure: { internal: 0 } }, 'exposure.internal must be a number in 0.01–5'],
    ['an unknown record key', { userRisk: { vip: 2 } }, 'userRisk.vip is not a key of userRisk'],
    ['a record that is not an object', { environment: 1 }, 'environment must be an object'],
    [
      'tiers out of order',
      { criticality: { tier3: 1.2 } },
      'criticality.tier3 must not exceed criticality.tier2',
    ],
    ['exposure out of order', { exposure: { internal: 1.5 } }, 'exposure.internal must not exceed'],
    [
      'user risk out of order',
      { userRisk: { elevated: 1.3 } },
      'userRisk.elevated must not exceed userRisk.high',
    ],
    ['vendor severities out of order', { vendorSeverityCvss: { low: 9 } }, 'vendorSeverityCvss.low must not'],
    ['P2 cut-off not below P1', { priorityCutoffs: { P2: 70 } }, 'priorityCutoffs.P2 must be below'],
    ['P3 cut-off not below P2', { priorityCutoffs: { P3: 50 } }, 'priorityCutoffs.P3 must be below'],
    ['an unknown priority', { kevMinPriority: 'P5' }, 'kevMinPriority must be one of P1, P2, P3, P4'],
    [
      'KEV overrides inverted',
      { kevMinPriority: 'P1', kevExposedMinPriority: 'P2' },
      'kevExposedMinPriority must be at least as urgent',
    ],
  ])('refuses %s, naming the key', (_what, partial, message) => {
    const e = error(partial);
    expect(e?.code).toBe('PL_RISK_WEIGHTS_INVALID');
    expect(e?.message).toContain(`risk weights: ${message}`);
  });

  it('accepts an environment weighting in any order (no order is implied)', () => {
    expect(parseRiskWeights({ environment: { test: 1.2 } }).environment.test).toBe(1.2);
  });
});
