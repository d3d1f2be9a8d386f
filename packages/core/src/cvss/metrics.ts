/**
 * The metrics each CVSS version's vector string may carry, with their allowed
 * values, as the FIRST specifications define them (v2 guide §2.4, v3.0 and
 * v3.1 specification §6, v4.0 specification §7 and its JSON schema).
 *
 * These tables decide what a valid vector is; ae-cvss-calculator only does the
 * arithmetic. The library is too lenient to be the judge of validity: it lets
 * a later duplicate overwrite an earlier metric, scores a vector that lacks
 * base metrics (as 0 or `undefined`), accepts long names ("Attack Vector"),
 * accepts "X"/"ND" (not defined) for base metrics, accepts the Safety value
 * "S" for the v4 base metrics SC/SI/SA (only MSI/MSA may be "S"), strips
 * parentheses and "CVSS:x.y" anywhere in the string, and throws a TypeError
 * on garbage.
 */
import type { CvssVersion } from '../advisory/model.js';

export interface CvssMetricSpec {
  /** Abbreviation as written in the vector, e.g. "AV", "Au", "MSI". */
  readonly key: string;
  /** Allowed values, case-sensitive, e.g. ["N", "A", "L", "P"]. */
  readonly values: readonly string[];
  /** Base metrics are mandatory and have no "not defined" value. */
  readonly base: boolean;
}

export type CvssMetricTable = ReadonlyMap<string, CvssMetricSpec>;

type Row = readonly [key: string, values: string];

function table(base: readonly Row[], optional: readonly Row[]): CvssMetricTable {
  const specs = new Map<string, CvssMetricSpec>();
  for (const [rows, isBase] of [
    [base, true],
    [optional, false],
  ] as const) {
    for (const [key, values] of rows) specs.set(key, { key, values: values.split(' '), base: isBase });
  }
  return specs;
}

const V2 = table(
  [
    ['AV', 'L A N'],
    ['AC', 'H M L'],
    ['Au', 'M S N'],
    ['C', 'N P C'],
    ['I', 'N P C'],
    ['A', 'N P C'],
  ],
  [
    // temporal
    ['E', 'U POC F H ND'],
    ['RL', 'OF TF W U ND'],
    ['RC', 'UC UR C ND'],
    // environmental
    ['CDP', 'N L LM MH H ND'],
    ['TD', 'N L M H ND'],
    ['CR', 'L M H ND'],
    ['IR', 'L M H ND'],
    ['AR', 'L M H ND'],
  ],
);

/** v3.0 and v3.1 have the same metrics; they differ in the arithmetic only. */
const V3 = table(
  [
    ['AV', 'N A L P'],
    ['AC', 'L H'],
    ['PR', 'N L H'],
    ['UI', 'N R'],
    ['S', 'U C'],
    ['C', 'H L N'],
    ['I', 'H L N'],
    ['A', 'H L N'],
  ],
  [
    // temporal
    ['E', 'X H F P U'],
    ['RL', 'X U W T O'],
    ['RC', 'X C R U'],
    // environmental
    ['CR', 'X H M L'],
    ['IR', 'X H M L'],
    ['AR', 'X H M L'],
    ['MAV', 'X N A L P'],
    ['MAC', 'X L H'],
    ['MPR', 'X N L H'],
    ['MUI', 'X N R'],
    ['MS', 'X U C'],
    ['MC', 'X H L N'],
    ['MI', 'X H L N'],
    ['MA', 'X H L N'],
  ],
);

const V4 = table(
  [
    ['AV', 'N A L P'],
    ['AC', 'L H'],
    ['AT', 'N P'],
    ['PR', 'N L H'],
    ['UI', 'N P A'],
    ['VC', 'H L N'],
    ['VI', 'H L N'],
    ['VA', 'H L N'],
    ['SC', 'H L N'],
    ['SI', 'H L N'],
    ['SA', 'H L N'],
  ],
  [
    // threat
    ['E', 'X A P U'],
    // environmental
    ['CR', 'X H M L'],
    ['IR', 'X H M L'],
    ['AR', 'X H M L'],
    ['MAV', 'X N A L P'],
    ['MAC', 'X L H'],
    ['MAT', 'X N P'],
    ['MPR', 'X N L H'],
    ['MUI', 'X N P A'],
    ['MVC', 'X H L N'],
    ['MVI', 'X H L N'],
    ['MVA', 'X H L N'],
    ['MSC', 'X H L N'],
    ['MSI', 'X S H L N'],
    ['MSA', 'X S H L N'],
    // supplemental (never changes the score)
    ['S', 'X N P'],
    ['AU', 'X N Y'],
    ['R', 'X A U I'],
    ['V', 'X D C'],
    ['RE', 'X L M H'],
    ['U', 'X Clear Green Amber Red'],
  ],
);

/** The metrics of each version, in the specification's order. */
export const CVSS_METRICS: Readonly<Record<CvssVersion, CvssMetricTable>> = {
  '2.0': V2,
  '3.0': V3,
  '3.1': V3,
  '4.0': V4,
};
