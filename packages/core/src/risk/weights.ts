/**
 * parseRiskWeights: risk weights from configuration (JSON/YAML already
 * parsed), merged key by key over DEFAULT_RISK_WEIGHTS and validated. Any
 * error is a PatchloopError PL_RISK_WEIGHTS_INVALID naming the key.
 */
import { PatchloopError } from '../error/codes.js';
import { CRITICALITIES, ENVIRONMENTS, SEVERITIES, USER_RISKS } from '../vocabulary/index.js';
import { DEFAULT_RISK_WEIGHTS, PRIORITIES, type Priority, type RiskWeights } from './model.js';

type Range = readonly [min: number, max: number];
const POINTS: Range = [0, 100];
const CVSS: Range = [0, 10];
const MULTIPLIER: Range = [0.01, 5];

/** Every key, with its range (numbers), its keys and range (records) or 'priority'. */
const SCHEMA: Record<keyof RiskWeights, Range | readonly [readonly string[], Range] | 'priority'> = {
  severityPointsPerCvss: CVSS,
  // Descending (ORDERED): the most severe first, the most critical first, the highest user risk first.
  vendorSeverityCvss: [[...SEVERITIES].reverse(), CVSS],
  unknownSeverityCvss: CVSS,
  kevPoints: POINTS,
  ransomwarePoints: POINTS,
  epssPoints: POINTS,
  epssTopPercentile: [0, 1],
  epssTopPercentilePoints: POINTS,
  criticality: [CRITICALITIES, MULTIPLIER],
  exposure: [['internetFacing', 'internal'], MULTIPLIER],
  environment: [[...ENVIRONMENTS, 'unknown'], MULTIPLIER],
  userRisk: [[...USER_RISKS].reverse(), MULTIPLIER],
  priorityCutoffs: [['P1', 'P2', 'P3'], POINTS],
  kevMinPriority: 'priority',
  kevExposedMinPriority: 'priority',
};

/** Records whose values must not increase in the key order given in SCHEMA ("descending"). */
const ORDERED: readonly (keyof RiskWeights)[] = ['vendorSeverityCvss', 'criticality', 'exposure', 'userRisk'];

function invalid(key: string, message: string): PatchloopError {
  return new PatchloopError('PL_RISK_WEIGHTS_INVALID', `risk weights: ${key} ${message}`, { key });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumber(key: string, v: unknown, [min, max]: Range): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalid(key, `must be a number in ${min}–${max} (got ${JSON.stringify(v) ?? String(v)})`);
  }
  return v;
}

export function parseRiskWeights(partial: unknown): RiskWeights {
  if (partial === undefined || partial === null) return DEFAULT_RISK_WEIGHTS;
  if (!isRecord(partial)) throw invalid('(root)', 'must be an object');
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(partial)) {
    if (!(key in SCHEMA)) throw invalid(key, 'is not a risk weight');
  }
  for (const [key, spec] of Object.entries(SCHEMA) as [
    keyof RiskWeights,
    (typeof SCHEMA)[keyof RiskWeights],
  ][]) {
    const given = partial[key];
    const fallback = DEFAULT_RISK_WEIGHTS[key];
    if (spec === 'priority') {
      if (given !== undefined && !PRIORITIES.includes(given as Priority)) {
        throw invalid(key, `must be one of ${PRIORITIES.join(', ')} (got ${JSON.stringify(given)})`);
      }
      out[key] = given ?? fallback;
    } else if (typeof spec[0] === 'number') {
      out[key] = given === undefined ? fallback : checkNumber(key, given, spec as Range);
    } else {
      const [subkeys, range] = spec as readonly [readonly string[], Range];
      if (given !== undefined && !isRecord(given)) throw invalid(key, 'must be an object');
      const merged: Record<string, number> = { ...(fallback as Record<string, number>) };
      for (const sub of Object.keys(given ?? {})) {
        if (!subkeys.includes(sub))
          throw invalid(`${key}.${sub}`, `is not a key of ${key} (${subkeys.join(', ')})`);
        merged[sub] = checkNumber(`${key}.${sub}`, (given as Record<string, unknown>)[sub], range);
      }
      out[key] = merged;
    }
  }
  const weights = out as unknown as RiskWeights;
  checkOrder(weights);
  return weights;
}

function checkOrder(w: RiskWeights): void {
  for (const key of ORDERED) {
    const [subkeys] = SCHEMA[key] as readonly [readonly string[], Range];
    const values = w[key] as Readonly<Record<string, number>>;
    for (let i = 1; i < subkeys.length; i++) {
      const hi = subkeys[i - 1] ?? '';
      const lo = subkeys[i] ?? '';
      if ((values[hi] ?? 0) < (values[lo] ?? 0)) {
        throw invalid(`${key}.${lo}`, `must not exceed ${key}.${hi} (${values[lo]} > ${values[hi]})`);
      }
    }
  }
  const c = w.priorityCutoffs;
  if (!(c.P1 > c.P2))
    throw invalid('priorityCutoffs.P2', `must be below priorityCutoffs.P1 (${c.P2} ≥ ${c.P1})`);
  if (!(c.P2 > c.P3))
    throw invalid('priorityCutoffs.P3', `must be below priorityCutoffs.P2 (${c.P3} ≥ ${c.P2})`);
  if (PRIORITIES.indexOf(w.kevExposedMinPriority) > PRIORITIES.indexOf(w.kevMinPriority)) {
    throw invalid(
      'kevExposedMinPriority',
      `must be at least as urgent as kevMinPriority (${w.kevExposedMinPriority} < ${w.kevMinPriority})`,
    );
  }
}
