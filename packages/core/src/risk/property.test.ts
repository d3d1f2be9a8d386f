/**
 * Properties of assessRisk over seeded random inputs (test/random.ts; force a
 * seed with PATCHLOOP_TEST_SEED): the score stays in 0–100 with one decimal,
 * the factors' points add up to it, and raising CVSS, EPSS (probability or
 * percentile), criticality, exposure or user risk, or adding KEV or
 * ransomware, never lowers it.
 */
import { describe, expect, it } from 'vitest';
import type { CvssVersion, Severity } from '../advisory/model.js';
import { createRng, testSeed, type Rng } from '../../test/random.js';
import {
  CRITICALITIES,
  ENVIRONMENTS,
  USER_RISKS,
  type Criticality,
  type RiskContext,
  type RiskInput,
  type RiskResult,
  type UserRisk,
} from './model.js';
import { assessRisk } from './score.js';
import { parseRiskWeights } from './weights.js';

const seed = testSeed();
const RUNS = 3000;
const SEVERITIES: Severity[] = ['none', 'low', 'medium', 'high', 'critical'];
const VERSIONS: CvssVersion[] = ['2.0', '3.0', '3.1', '4.0'];
const tenth = (rng: Rng, max: number): number => rng.int(max * 10 + 1) / 10;
const prob = (rng: Rng): number => rng.int(100_001) / 100_000;

function randomInput(rng: Rng): RiskInput {
  return {
    severity: rng.chance(0.5) ? rng.pick(SEVERITIES) : null,
    cvss: rng.chance(0.8) ? { score: tenth(rng, 10), version: rng.pick(VERSIONS) } : null,
    kev: rng.chance(0.3) ? { ransomware: rng.chance(0.3) } : null,
    epss: rng.chance(0.8) ? { score: prob(rng), percentile: prob(rng) } : null,
    status: rng.pick(['fixable', 'unfixed'] as const),
  };
}

function randomContext(rng: Rng): RiskContext {
  return {
    criticality: rng.pick(CRITICALITIES),
    environment: rng.chance(0.2) ? null : rng.pick(ENVIRONMENTS),
    internetFacing: rng.chance(0.3),
    userRisk: rng.pick(USER_RISKS),
  };
}

const more = <T>(order: readonly T[], v: T): T => order[Math.max(0, order.indexOf(v) - 1)] as T;
const MORE_CRITICAL: readonly Criticality[] = CRITICALITIES; // tier0 first
const MORE_USER_RISK: readonly UserRisk[] = [...USER_RISKS].reverse(); // high first

function check(r: RiskResult): void {
  expect(r.score).toBeGreaterThanOrEqual(0);
  expect(r.score).toBeLessThanOrEqual(100);
  expect(Math.round(r.score * 10)).toBeCloseTo(r.score * 10, 9);
  const sum = r.factors.reduce((a, f) => a + Math.round(f.points * 10), 0) / 10;
  expect(sum).toBe(r.score);
}

describe(`assessRisk properties (seed ${seed})`, () => {
  // Random but valid weights too: the properties must hold for any configuration.
  const weightSets = [
    undefined,
    parseRiskWeights({ severityPointsPerCvss: 10, kevPoints: 60, epssPoints: 80, criticality: { tier0: 3 } }),
    parseRiskWeights({
      exposure: { internetFacing: 2, internal: 0.5 },
      userRisk: { high: 4, standard: 0.2, elevated: 1 },
    }),
  ];

  it('keeps the score in 0–100, one decimal, and the points add up to it', () => {
    const rng = createRng(seed);
    for (let i = 0; i < RUNS; i++) {
      const w = rng.pick(weightSets);
      check(assessRisk(randomInput(rng), randomContext(rng), w));
    }
  });

  it('never lowers the score when a factor rises', () => {
    const rng = createRng(seed ^ 0x5eed);
    for (let i = 0; i < RUNS; i++) {
      const w = rng.pick(weightSets);
      const input = randomInput(rng);
      const context = randomContext(rng);
      const base = assessRisk(input, context, w).score;
      const raised: [string, RiskInput, RiskContext][] = [
        [
          'cvss',
          input.cvss === null
            ? input
            : { ...input, cvss: { ...input.cvss, score: Math.min(10, input.cvss.score + tenth(rng, 3)) } },
          context,
        ],
        [
          'epss probability',
          input.epss === null
            ? input
            : { ...input, epss: { ...input.epss, score: Math.min(1, input.epss.score + prob(rng) / 4) } },
          context,
        ],
        [
          'epss percentile',
          input.epss === null
            ? input
            : {
                ...input,
                epss: { ...input.epss, percentile: Math.min(1, input.epss.percentile + prob(rng) / 4) },
              },
          context,
        ],
        ['kev', input.kev === null ? { ...input, kev: { ransomware: false } } : input, context],
        ['ransomware', input.kev === null ? input : { ...input, kev: { ransomware: true } }, context],
        ['criticality', input, { ...context, criticality: more(MORE_CRITICAL, context.criticality) }],
        ['exposure', input, { ...context, internetFacing: true }],
        ['user risk', input, { ...context, userRisk: more(MORE_USER_RISK, context.userRisk) }],
      ];
      for (const [what, i2, c2] of raised) {
        const after = assessRisk(i2, c2, w).score;
        if (after < base) {
          throw new Error(
            `raising ${what} lowered ${base} to ${after}: ${JSON.stringify({ input, context, i2, c2 })}`,
          );
        }
      }
    }
  });

  it('is deterministic', () => {
    const rng = createRng(seed);
    const input = randomInput(rng);
    const context = randomContext(rng);
    expect(assessRisk(input, context)).toEqual(assessRisk(input, context));
  });
});
