/** Severity ranks and labels the output formats share. */
import type { Finding, Severity } from '@patchloop/core';

export type SeverityLabel = Severity | 'unknown';

/** Most severe first, as the report's findings are sorted (core's order). */
export { SEVERITY_ORDER, severityRank } from '@patchloop/core';

export const severityOf = (f: Finding): SeverityLabel => f.severity ?? 'unknown';

export { cvssSeverity } from '@patchloop/core';

/** A CVSS score with its one decimal ("7.0", "9.8"). */
export const formatCvss = (score: number): string => score.toFixed(1);

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
