/**
 * Qualitative severity of a CVSS score.
 *
 * v3.0, v3.1 and v4.0 use FIRST's qualitative severity rating scale (v3.1
 * specification §5, v4.0 specification §6):
 *
 * | score    | severity |
 * | -------- | -------- |
 * | 0.0      | none     |
 * | 0.1–3.9  | low      |
 * | 4.0–6.9  | medium   |
 * | 7.0–8.9  | high     |
 * | 9.0–10.0 | critical |
 *
 * CVSS v2 defines no qualitative scale; NVD's, which everyone uses for v2, has
 * three ranks and no "none" or "critical":
 *
 * | score    | severity |
 * | -------- | -------- |
 * | 0.0–3.9  | low      |
 * | 4.0–6.9  | medium   |
 * | 7.0–10.0 | high     |
 *
 * Scores have one decimal, so comparing with the lower bound of the next rank
 * is the same as comparing with the upper bound of the rank.
 */
import type { CvssVersion, Severity } from '../advisory/model.js';

/** FIRST's qualitative scale (CVSS v3.0, v3.1, v4.0). */
export function severityFirst(score: number): Severity {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** NVD's scale for CVSS v2. */
export function severityNvdV2(score: number): Severity {
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}

export function cvssSeverity(version: CvssVersion, score: number): Severity {
  return version === '2.0' ? severityNvdV2(score) : severityFirst(score);
}
