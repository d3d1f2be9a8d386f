/**
 * Publisher severities in OSV records, mapped onto the model's scale.
 *
 * | publisher word | Severity |
 * | --- | --- |
 * | Ubuntu negligible, low; Red Hat/AlmaLinux Low | low |
 * | Ubuntu medium; Red Hat/AlmaLinux Moderate; GHSA MODERATE | medium |
 * | Ubuntu high; Red Hat/AlmaLinux Important | high |
 * | critical (all) | critical |
 * | Red Hat/AlmaLinux None (bug fix and enhancement errata) | none |
 *
 * Ubuntu "negligible" is still a security issue Ubuntu tracks (theoretical or
 * with almost no install base), so it is low, not none. Words we do not know
 * ("untriaged", "unknown") give null.
 *
 * Where OSV records carry them:
 * - Ubuntu OSV 1.7 (UBUNTU-CVE): top-level `severity: [{type: "Ubuntu", score: "medium"}]`.
 * - Ubuntu OSV 1.6 (UBUNTU-CVE): `affected[].ecosystem_specific.ubuntu_priority`, per release.
 * - Ubuntu USN: `affected[].database_specific.cves_map.cves[].severity[type=Ubuntu]`, per
 *   CVE fixed in that release; the package's severity is the highest of them.
 * - AlmaLinux (and other Red Hat rebuilds): only the summary prefix, "Important: …".
 * - GHSA and others: `database_specific.severity`.
 */
import type { Severity } from '@patchloop/core';

const WORDS: Readonly<Record<string, Severity>> = {
  none: 'none',
  negligible: 'low',
  low: 'low',
  moderate: 'medium',
  medium: 'medium',
  important: 'high',
  high: 'high',
  critical: 'critical',
};

const RANK: Readonly<Record<Severity, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityFromWord(word: unknown): Severity | null {
  if (typeof word !== 'string') return null;
  return WORDS[word.trim().toLowerCase()] ?? null;
}

/** The higher of two severities; null counts as unknown, below none. */
export function maxSeverity(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/** Red Hat style errata summary: "Important: kernel security update". */
const SUMMARY_PREFIX = /^(None|Low|Moderate|Important|Critical):\s/;

export function severityFromSummary(summary: string): Severity | null {
  const m = SUMMARY_PREFIX.exec(summary);
  return m === null ? null : severityFromWord(m[1]);
}

/** The highest `{type: "Ubuntu", score}` entry of an OSV `severity` list (unchecked input). */
export function ubuntuSeverity(list: unknown): Severity | null {
  if (!Array.isArray(list)) return null;
  let best: Severity | null = null;
  for (const s of list as unknown[]) {
    if (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'Ubuntu') {
      best = maxSeverity(best, severityFromWord((s as { score?: unknown }).score));
    }
  }
  return best;
}

/** The highest Ubuntu priority among a USN's `cves_map` entries (unchecked input). */
export function cvesMapSeverity(databaseSpecific: unknown): Severity | null {
  if (typeof databaseSpecific !== 'object' || databaseSpecific === null) return null;
  const map = (databaseSpecific as { cves_map?: unknown }).cves_map;
  if (typeof map !== 'object' || map === null) return null;
  const cves = (map as { cves?: unknown }).cves;
  if (!Array.isArray(cves)) return null;
  let best: Severity | null = null;
  for (const c of cves as unknown[]) {
    if (typeof c === 'object' && c !== null) {
      best = maxSeverity(best, ubuntuSeverity((c as { severity?: unknown }).severity));
    }
  }
  return best;
}
