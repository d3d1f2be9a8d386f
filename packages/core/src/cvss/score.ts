/**
 * CVSS base scores and severities for v2.0, v3.0, v3.1 and v4.0 vectors.
 *
 * The arithmetic is ae-cvss-calculator's (metaeffekt, Apache-2.0); we never
 * compute CVSS ourselves. We decide validity (vector.ts, metrics.ts: the
 * library is lenient) and severity (severity.ts), and hand the library only
 * vectors we have checked.
 *
 * What "base score" means:
 * - v2, v3.0, v3.1: the base score, from the base metrics alone. Temporal and
 *   environmental metrics in the vector are validated but do not change it.
 * - v4.0: CVSS v4 has one score. FIRST's calculator, CVE JSON 5 and NVD put
 *   the score of the whole vector in `baseScore` (named CVSS-B, -BT, -BE or
 *   -BTE by the metric groups it uses), so ours is that score too: a vector
 *   with E:U scores lower than the same vector without it.
 *
 * Proven against every row of Red Hat's cvss test vectors (5,973 v2/v3 and
 * 1,694 v4), an independent port of FIRST's v4 algorithm over FIRST's lookup
 * tables, and the scores CNAs and CISA state in vulnrichment (score.test.ts,
 * cvss4-first.test.ts).
 *
 * Library defects worked around (this is the one place they are handled):
 * - v2 base scores of 0 come back as -0 (the v2 formula multiplies a negative
 *   number by f(Impact) = 0); Red Hat's fixtures even print "-0.0". We return
 *   0. No other base score on the fixtures differs from the expected one.
 * - The library's lenient parsing (see metrics.ts) never sees a vector we
 *   have not validated.
 * (Not a base-score matter, so not worked around: the library rounds v2
 * temporal scores in binary floating point, so 9.0 × 0.95 = 8.549… gives 8.5
 * where the v2 guide gives 8.6, e.g. AV:N/AC:L/Au:S/C:C/I:C/A:C/E:F/RL:U/RC:C;
 * temporal and environmental scores are not exposed.)
 */
import cvssCalculator from 'ae-cvss-calculator';
import type { CvssVersion, Severity } from '../advisory/model.js';
import { cvssSeverity } from './severity.js';
import { cvssInvalid, parseCvssVector, type CvssVector } from './vector.js';

// The package is a CommonJS (webpack UMD) bundle whose named exports Node
// cannot detect: import the module object and take the classes from it.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;

export interface CvssScore {
  readonly version: CvssVersion;
  /** The vector as given, trimmed. */
  readonly vector: string;
  /** v2/v3.x: the base score; v4.0: the score of the whole vector (see the top of score.ts). */
  readonly baseScore: number;
  /** Qualitative rating of the base score (v2 has no "critical" or "none" in NVD's scale: see severity.ts). */
  readonly severity: Severity;
}

function libraryBaseScore(parsed: CvssVector): number | undefined {
  const { version, body } = parsed;
  switch (version) {
    case '2.0':
      return new Cvss2(body).calculateScores().base;
    case '3.0':
      return new Cvss3P0(`CVSS:3.0/${body}`).calculateScores().base;
    case '3.1':
      return new Cvss3P1(`CVSS:3.1/${body}`).calculateScores().base;
    case '4.0':
      // calculateScores().overall is this same call; calculateScores() also scores the vector
      // again without its threat and environmental metrics (three more runs we never read).
      return new Cvss4P0(`CVSS:4.0/${body}`).calculateOverallScore();
  }
}

/**
 * Scores already computed, by trimmed vector. Feeds repeat a few thousand
 * distinct vectors across hundreds of thousands of records (vulnrichment:
 * 2,821 in 44,130 records) and a v4 score costs about 0.1 ms, so scores are
 * memoised. Deterministic (a vector always has the same score), bounded (a
 * feed of distinct vectors cannot grow it without limit), results frozen.
 * Invalid vectors are not remembered.
 */
const memo = new Map<string, CvssScore>();
const MEMO_LIMIT = 10_000;

/** Scores a vector; throws PatchloopError PL_CVSS_INVALID for an invalid one. */
export function scoreCvss(vector: string): CvssScore {
  const known = typeof vector === 'string' ? memo.get(vector.trim()) : undefined;
  if (known !== undefined) return known;
  const score = Object.freeze(computeScore(vector));
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(score.vector, score);
  return score;
}

function computeScore(vector: string): CvssScore {
  const parsed = parseCvssVector(vector);
  let score: number | undefined;
  try {
    score = libraryBaseScore(parsed);
  } catch (e) {
    // Cannot happen for a validated vector unless the library changes.
    const why = e instanceof Error ? e.message : String(e);
    throw cvssInvalid(parsed.vector, `the CVSS library rejected it: ${why}`, { version: parsed.version });
  }
  if (score === undefined || !Number.isFinite(score) || score < 0 || score > 10) {
    const reason = `the CVSS library gave no score in 0–10 (${String(score)})`;
    throw cvssInvalid(parsed.vector, reason, { version: parsed.version });
  }
  const baseScore = score === 0 ? 0 : score; // -0 → 0 (library defect, see above)
  return {
    version: parsed.version,
    vector: parsed.vector,
    baseScore,
    severity: cvssSeverity(parsed.version, baseScore),
  };
}
