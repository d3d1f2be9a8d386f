/**
 * dnf's update rows joined with the installed packages (for the installed
 * version) and the advisories dnf names for them (ids and classification).
 * An advisory applies to an update when it names the same package name and
 * architecture. Classification: security over bugfix over enhancement.
 */
import { rpm } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import type { DnfAdvisoryRow, DnfUpdateRow } from './parse-dnf.js';
import type { CollectedUpdate } from '../wire-package.js';

const RANK = ['security', 'bugfix', 'enhancement'] as const;

function newestInstalled(installed: readonly InstalledPackage[], name: string, arch: string): string | null {
  let best: string | null = null;
  for (const p of installed) {
    if (p.name !== name || (p.arch ?? '') !== arch) continue;
    if (best === null || compareSafe(p.version, best) > 0) best = p.version;
  }
  return best;
}

function compareSafe(a: string, b: string): number {
  try {
    return rpm.compare(a, b);
  } catch {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

export function mergeDnfUpdates(
  rows: readonly DnfUpdateRow[],
  advisories: readonly DnfAdvisoryRow[],
  installed: readonly InstalledPackage[],
): CollectedUpdate[] {
  return rows.map((row) => {
    const named = advisories.filter((a) => a.name === row.name && (a.arch === null || a.arch === row.arch));
    const ids = [...new Set(named.map((a) => a.advisoryId))].sort().slice(0, 256);
    const classification = RANK.find((t) => named.some((a) => a.type === t)) ?? null;
    return {
      name: row.name,
      arch: row.arch,
      installedVersion: newestInstalled(installed, row.name, row.arch),
      candidateVersion: row.candidateVersion,
      repository: row.repository === '' ? null : row.repository.slice(0, 512),
      security: classification === 'security',
      advisoryIds: ids,
      classification,
    };
  });
}
