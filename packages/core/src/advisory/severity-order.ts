import type { Severity } from './model.js';

/** Severities most severe first, `unknown` (nobody published one) last: how findings are sorted. */
export const SEVERITY_ORDER: readonly (Severity | 'unknown')[] = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
];

/** 0 for critical … 5 for unknown. */
export const severityRank = (s: Severity | null): number => SEVERITY_ORDER.indexOf(s ?? 'unknown');
