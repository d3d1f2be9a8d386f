/**
 * CVSS base scores and severities for v2.0, v3.0, v3.1 and v4.0 vectors.
 * (Interface only; the implementation over a well-kept CVSS library is
 * being written.)
 */
import type { CvssVersion, Severity } from '../advisory/model.js';

export interface CvssScore {
  readonly version: CvssVersion;
  /** The vector as given, trimmed. */
  readonly vector: string;
  readonly baseScore: number;
  /** Qualitative rating of the base score (v2 has no "critical" or "none" in NVD's scale: see the implementation). */
  readonly severity: Severity;
}

/** Scores a vector; throws PatchloopError PL_CVSS_INVALID for an invalid one. */
export declare function scoreCvss(vector: string): CvssScore;
