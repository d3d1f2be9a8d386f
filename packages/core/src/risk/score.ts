/**
 * assessRisk: an explainable 0–100 risk score and a P1–P4 priority for one
 * finding on one host. The formula is at the top of model.ts and in
 * docs/risk.md. Pure and deterministic.
 */
import { PatchloopError } from '../error/codes.js';
import { SEVERITIES } from '../vocabulary/index.js';
import { apportionTenths } from './apportion.js';
import {
  CRITICALITIES,
  DEFAULT_RISK_WEIGHTS,
  ENVIRONMENTS,
  USER_RISKS,
  type RiskContext,
  type RiskFactor,
  type RiskFactorName,
  type RiskInput,
  type RiskResult,
  type RiskWeights,
} from './model.js';
import { decidePriority } from './priority.js';

/** A factor before rounding: its exact contribution. */
interface RawFactor {
  readonly name: RiskFactorName;
  readonly value: string;
  readonly exact: number;
  readonly explanation: string;
  /** How the factor reads in the one-line explanation: "CVSS 3.1 9.8", "tier0 ×1.3". */
  readonly label: string;
}

export function assessRisk(
  input: RiskInput,
  context: RiskContext,
  weights: RiskWeights = DEFAULT_RISK_WEIGHTS,
): RiskResult {
  checkInput(input, context);
  const w = weights;
  const raw: RawFactor[] = [severityFactor(input, w), ...exploitationFactors(input, w)];

  let running = raw.reduce((sum, f) => sum + f.exact, 0);
  const envKey = context.environment ?? 'unknown';
  const multipliers: [RiskFactorName, string, number, string][] = [
    ['criticality', context.criticality, w.criticality[context.criticality], `${context.criticality} host`],
    context.internetFacing
      ? ['exposure', 'internet-facing', w.exposure.internetFacing, 'internet-facing']
      : ['exposure', 'internal', w.exposure.internal, 'internal'],
    [
      'environment',
      envKey,
      w.environment[envKey],
      context.environment === null ? 'environment unknown' : context.environment,
    ],
    ['user-risk', context.userRisk, w.userRisk[context.userRisk], `${context.userRisk} user risk`],
  ];
  for (const [name, value, m, what] of multipliers) {
    const exact = running * (m - 1);
    const explanation = `${what}: ×${m} of ${running.toFixed(1)}`;
    raw.push({ name, value, exact, explanation, label: `${what} ×${m}` });
    running += exact;
  }
  if (running > 100) {
    raw.push({
      name: 'cap',
      value: '100',
      exact: 100 - running,
      explanation: `the score is capped at 100 (${running.toFixed(1)} before the cap)`,
      label: 'cap at 100',
    });
  }

  const { total: score, parts } = apportionTenths(raw.map((f) => f.exact));
  const factors: RiskFactor[] = raw.map((f, i) => ({
    name: f.name,
    value: f.value,
    points: parts[i] ?? 0,
    explanation: f.explanation,
  }));
  if (input.status !== undefined) factors.push(fixFactor(input.status));

  const decision = decidePriority(score, input.kev !== null, context, w);
  const shown = raw
    .map((f, i) => ({ label: f.label, points: parts[i] ?? 0 }))
    .filter((f) => f.points !== 0)
    .map((f) => `${f.label} ${signed(f.points)}`)
    .join('; ');
  const fixNote = input.status === 'unfixed' ? ' No fix is available yet.' : '';
  const explanation = `Risk ${score.toFixed(1)} = ${shown === '' ? '0' : shown}. ${decision.reason}.${fixNote}`;
  return { score, priority: decision.priority, factors, explanation };
}

function severityFactor(input: RiskInput, w: RiskWeights): RawFactor {
  const per = w.severityPointsPerCvss;
  if (input.cvss !== null) {
    const { score, version } = input.cvss;
    return {
      name: 'severity',
      value: `CVSS ${version} ${score.toFixed(1)}`,
      exact: score * per,
      explanation: `CVSS ${version} base score ${score.toFixed(1)} × ${per} points`,
      label: `CVSS ${version} ${score.toFixed(1)}`,
    };
  }
  if (input.severity !== null) {
    const cvss = w.vendorSeverityCvss[input.severity];
    return {
      name: 'severity',
      value: `vendor ${input.severity}`,
      exact: cvss * per,
      explanation: `no CVSS score; vendor severity ${input.severity} counts as CVSS ${cvss} × ${per} points`,
      label: `vendor severity ${input.severity}`,
    };
  }
  const classification = input.advisory?.classification ?? 'security';
  if (classification !== 'security') {
    const cvss = w.vendorSeverityCvss.none;
    return {
      name: 'severity',
      value: `${classification} advisory`,
      exact: cvss * per,
      explanation: `not a security advisory (${classification}) and no severity: counts as CVSS ${cvss} × ${per} points`,
      label: `${classification} advisory`,
    };
  }
  const cvss = w.unknownSeverityCvss;
  return {
    name: 'severity',
    value: 'unknown',
    exact: cvss * per,
    explanation: `no CVSS score and no vendor severity: counts as CVSS ${cvss} (unknown) × ${per} points`,
    label: 'severity unknown',
  };
}

/**
 * KEV and EPSS are two evidences of one thing, exploitation: KEV confirmed,
 * EPSS predicted. They are not added: exploitation is the larger of the two
 * (EPSS adds only what exceeds the KEV points), plus the ransomware points.
 */
function exploitationFactors(input: RiskInput, w: RiskWeights): [RawFactor, RawFactor] {
  const kevBase = input.kev === null ? 0 : w.kevPoints;
  const ransomware = input.kev?.ransomware === true ? w.ransomwarePoints : 0;
  const kev: RawFactor =
    input.kev === null
      ? {
          name: 'kev',
          value: 'not listed',
          exact: 0,
          explanation: "not in CISA's KEV catalog",
          label: 'not in KEV',
        }
      : {
          name: 'kev',
          value: input.kev.ransomware ? 'listed (ransomware)' : 'listed',
          label: input.kev.ransomware ? 'KEV (ransomware)' : 'KEV',
          exact: kevBase + ransomware,
          explanation:
            `in CISA's KEV catalog (exploited in the wild): ${w.kevPoints} points` +
            (input.kev.ransomware ? `, known ransomware use: +${w.ransomwarePoints}` : ''),
        };
  if (input.epss === null) {
    return [kev, { name: 'epss', value: 'none', exact: 0, explanation: 'no EPSS score', label: 'no EPSS' }];
  }
  const { score: p, percentile } = input.epss;
  const top = percentile >= w.epssTopPercentile ? w.epssTopPercentilePoints : 0;
  const epssRaw = w.epssPoints * p + top;
  const topText = top > 0 ? `, +${top} for percentile ≥ ${w.epssTopPercentile}` : '';
  const kevText =
    input.kev === null ? '' : `; KEV already counts ${w.kevPoints}, EPSS adds only what exceeds it`;
  return [
    kev,
    {
      name: 'epss',
      value: `${p} (percentile ${percentile})`,
      label: `EPSS ${p} (percentile ${percentile})`,
      exact: Math.max(0, epssRaw - kevBase),
      explanation: `EPSS probability ${p}: ${w.epssPoints} × ${p} = ${(w.epssPoints * p).toFixed(1)}${topText}${kevText}`,
    },
  ];
}

function fixFactor(status: 'fixable' | 'unfixed'): RiskFactor {
  return status === 'unfixed'
    ? {
        name: 'fix',
        value: 'none available',
        points: 0,
        explanation:
          'no fixed version exists yet: the score is not lowered for it; mitigate until a fix ships',
      }
    : { name: 'fix', value: 'available', points: 0, explanation: 'a fixed version exists' };
}

function signed(points: number): string {
  return points < 0 ? `-${(-points).toFixed(1)}` : `+${points.toFixed(1)}`;
}

function checkInput(input: RiskInput, context: RiskContext): void {
  const bad = (what: string): never => {
    throw new PatchloopError('PL_RISK_INPUT_INVALID', `risk input: ${what}`, { input, context });
  };
  const inRange = (n: number, max: number): boolean => Number.isFinite(n) && n >= 0 && n <= max;
  if (input.cvss !== null && !inRange(input.cvss.score, 10))
    bad(`CVSS score ${input.cvss.score} is not in 0–10`);
  if (input.severity !== null && !SEVERITIES.includes(input.severity))
    bad(`unknown severity ${input.severity}`);
  if (input.epss !== null && !inRange(input.epss.score, 1))
    bad(`EPSS probability ${input.epss.score} is not in 0–1`);
  if (input.epss !== null && !inRange(input.epss.percentile, 1)) {
    bad(`EPSS percentile ${input.epss.percentile} is not in 0–1`);
  }
  if (!CRITICALITIES.includes(context.criticality)) bad(`unknown criticality ${String(context.criticality)}`);
  if (context.environment !== null && !ENVIRONMENTS.includes(context.environment)) {
    bad(`unknown environment ${String(context.environment)}`);
  }
  if (typeof context.internetFacing !== 'boolean') bad('internetFacing is not a boolean');
  if (!USER_RISKS.includes(context.userRisk)) bad(`unknown user risk ${String(context.userRisk)}`);
}
