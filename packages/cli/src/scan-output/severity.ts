/** Severity ranks and labels the output formats share. */
import type { CvssVersion, Finding, Severity } from '@patchloop/core';

export type SeverityLabel = Severity | 'unknown';

/** Most severe first, as the report's findings are sorted. */
export const SEVERITY_ORDER: readonly SeverityLabel[] = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
];

export const severityOf = (f: Finding): SeverityLabel => f.severity ?? 'unknown';

/** 0 for critical … 5 for unknown. */
export const severityRank = (s: Severity | null): number => SEVERITY_ORDER.indexOf(s ?? 'unknown');

/**
 * Qualitative rating of a CVSS base score: FIRST's scale for v3.x and v4.0,
 * NVD's three ranks for v2 (as core/cvss/severity.ts).
 */
export function cvssSeverity(version: string, score: number): Severity {
  if ((version as CvssVersion) === '2.0') return score < 4 ? 'low' : score < 7 ? 'medium' : 'high';
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** A CVSS score with its one decimal ("7.0", "9.8"). */
export const formatCvss = (score: number): string => score.toFixed(1);

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
