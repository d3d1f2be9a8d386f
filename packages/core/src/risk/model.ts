/**
 * Risk model: what a finding's risk score is computed from, the weights of the
 * formula (all configurable, see weights.ts) and the explained result.
 *
 * The formula (score.ts, docs/risk.md):
 *
 *   intrinsic = severity + exploitation
 *     severity     = severityPointsPerCvss × CVSS base score (v4.0 or v3.x; else the
 *                    vendor severity mapped to a CVSS-like value; else unknownSeverityCvss)
 *     exploitation = max(KEV, EPSS) + ransomware
 *                    KEV  = kevPoints when CISA lists the CVE
 *                    EPSS = epssPoints × probability (+ epssTopPercentilePoints in the top percentiles)
 *                    ransomware = ransomwarePoints when KEV says "Known" ransomware use
 *   score = min(100, intrinsic × criticality × exposure × environment × userRisk)
 *
 * Each multiplier is shown as the points it adds (or removes), applied in that
 * order, so the factors' points add up to the score.
 */
import type { Classification, CvssVersion, Severity } from '../advisory/model.js';
import type { AdvisoryStatus } from '../match/status.js';
import type { Criticality, Environment, Priority, UserRisk } from '../vocabulary/index.js';

export {
  CRITICALITIES,
  ENVIRONMENTS,
  PRIORITIES,
  USER_RISKS,
  type Criticality,
  type Environment,
  type Priority,
  type UserRisk,
} from '../vocabulary/index.js';

/** What the score knows about the host a finding is on. */
export interface RiskContext {
  readonly criticality: Criticality;
  /** null: not recorded (weighted as `unknown`). */
  readonly environment: Environment | null;
  readonly internetFacing: boolean;
  readonly userRisk: UserRisk;
}

/** The host context assumed when nothing is recorded: tier2, internal, environment unknown, standard users. */
export const DEFAULT_RISK_CONTEXT: RiskContext = {
  criticality: 'tier2',
  environment: null,
  internetFacing: false,
  userRisk: 'standard',
};

/**
 * The parts of a finding the score uses. A core `Finding` is a `RiskInput`
 * (its fields are a superset), so findings can be passed directly.
 */
export interface RiskInput {
  /** Vendor (distro) severity, used when there is no CVSS score. */
  readonly severity: Severity | null;
  /** Highest CVSS base score among the advisory's CVEs. */
  readonly cvss: { readonly score: number; readonly version: CvssVersion } | null;
  readonly kev: { readonly ransomware: boolean } | null;
  /** EPSS probability of exploitation in the next 30 days and its percentile, both 0–1. */
  readonly epss: { readonly score: number; readonly percentile: number } | null;
  /** `unfixed`: no fix exists yet (explained, never lowers the score). */
  readonly status?: AdvisoryStatus;
  readonly advisory?: { readonly classification: Classification };
}

export interface RiskWeights {
  /** Severity points per CVSS point (10.0 × 5 = 50). */
  readonly severityPointsPerCvss: number;
  /** CVSS-like value (0–10) for a vendor severity, used when there is no CVSS score. */
  readonly vendorSeverityCvss: Readonly<Record<Severity, number>>;
  /** CVSS-like value (0–10) when neither CVSS nor a vendor severity is known. */
  readonly unknownSeverityCvss: number;
  /** Points for a CVE in CISA's Known Exploited Vulnerabilities catalog. */
  readonly kevPoints: number;
  /** Extra points when KEV records known ransomware campaign use. */
  readonly ransomwarePoints: number;
  /** EPSS points at probability 1 (scaled linearly). */
  readonly epssPoints: number;
  /** EPSS percentile (0–1) from which `epssTopPercentilePoints` are added. */
  readonly epssTopPercentile: number;
  readonly epssTopPercentilePoints: number;
  /** Multipliers; ordered tier0 ≥ tier1 ≥ tier2 ≥ tier3. */
  readonly criticality: Readonly<Record<Criticality, number>>;
  /** Multipliers; internetFacing ≥ internal. */
  readonly exposure: Readonly<{ internetFacing: number; internal: number }>;
  /** Multipliers; `unknown` when the host's environment is not recorded. */
  readonly environment: Readonly<Record<Environment | 'unknown', number>>;
  /** Multipliers; ordered high ≥ elevated ≥ standard. */
  readonly userRisk: Readonly<Record<UserRisk, number>>;
  /** Lowest score of each priority (P4 below P3's); strictly descending. */
  readonly priorityCutoffs: Readonly<{ P1: number; P2: number; P3: number }>;
  /** A KEV finding is at least this priority… */
  readonly kevMinPriority: Priority;
  /** …and at least this one on an internet-facing or tier0 host. */
  readonly kevExposedMinPriority: Priority;
}

export const DEFAULT_RISK_WEIGHTS: RiskWeights = {
  severityPointsPerCvss: 5,
  vendorSeverityCvss: { critical: 9.5, high: 8, medium: 5.5, low: 2.5, none: 0 },
  unknownSeverityCvss: 5,
  kevPoints: 35,
  ransomwarePoints: 10,
  epssPoints: 30,
  epssTopPercentile: 0.95,
  epssTopPercentilePoints: 5,
  criticality: { tier0: 1.3, tier1: 1.15, tier2: 1, tier3: 0.85 },
  exposure: { internetFacing: 1.25, internal: 1 },
  environment: { production: 1, staging: 0.9, development: 0.8, test: 0.75, unknown: 1 },
  userRisk: { standard: 1, elevated: 1.1, high: 1.2 },
  priorityCutoffs: { P1: 70, P2: 40, P3: 20 },
  kevMinPriority: 'P2',
  kevExposedMinPriority: 'P1',
};

export type RiskFactorName =
  'severity' | 'kev' | 'epss' | 'criticality' | 'exposure' | 'environment' | 'user-risk' | 'cap' | 'fix';

export interface RiskFactor {
  readonly name: RiskFactorName;
  /** The input as shown: "CVSS 3.1 9.8", "tier0", "internet-facing". */
  readonly value: string;
  /** Contribution to the score, one decimal; all factors' points add up to the score. */
  readonly points: number;
  readonly explanation: string;
}

export interface RiskResult {
  /** 0–100, one decimal. */
  readonly score: number;
  readonly priority: Priority;
  /** In formula order: severity, kev, epss, criticality, exposure, environment, user-risk, [cap], [fix]. */
  readonly factors: readonly RiskFactor[];
  /** One line: each factor's contribution, the score, the priority and why. */
  readonly explanation: string;
}
