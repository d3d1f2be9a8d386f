/**
 * The installed versions of a job's packages, read fresh from the host's
 * package database through the runner (the collectors' readers: dpkg status,
 * apk installed, rpm -qa), and the comparison of what is installed with what
 * a job asked for, in the database's own version order (core's schemes).
 */
import type { InstalledVersion } from '@patchloop/contracts';
import { schemeFor } from '@patchloop/core';
import type { InstalledPackage, PackageManager } from '@patchloop/core';
import type { PackageTarget } from '../backends/types.js';
import { type InstalledDatabase } from '../collectors/database.js';

export { readInstalled, type InstalledDatabase } from '../collectors/database.js';

/** The installed package a target names: same name, and same architecture when the target gives one. */
function find(db: InstalledDatabase, t: PackageTarget): InstalledPackage | null {
  const same = db.packages.filter((p) => p.name === t.name);
  if (t.arch !== undefined) return same.find((p) => p.arch === t.arch) ?? null;
  // Without an architecture: the one installed (a multi-arch package installed twice: the first).
  return same[0] ?? null;
}

/** What is installed of each target (version null: not installed). */
export function versionsOf(db: InstalledDatabase, targets: readonly PackageTarget[]): InstalledVersion[] {
  return targets.map((t) => {
    const p = find(db, t);
    return {
      name: t.name,
      version: p?.version ?? null,
      ...(p?.arch ? { arch: p.arch } : t.arch !== undefined ? { arch: t.arch } : {}),
    };
  });
}

/** -1, 0, 1 in the manager's order; null when either does not parse (then only equal strings are equal). */
export function compareVersions(manager: PackageManager, a: string, b: string): number | null {
  try {
    return schemeFor(manager).compare(a, b);
  } catch {
    return a === b ? 0 : null;
  }
}

/** The targets whose installed version is not the one asked for, as "name: wanted W, installed I". */
export function mismatches(
  manager: PackageManager,
  targets: readonly PackageTarget[],
  installed: readonly InstalledVersion[],
): string[] {
  const out: string[] = [];
  targets.forEach((t, i) => {
    const v = installed[i]?.version ?? null;
    if (v === null || compareVersions(manager, v, t.version) !== 0) {
      out.push(`${t.name}${t.arch ? `:${t.arch}` : ''}: wanted ${t.version}, installed ${v ?? 'none'}`);
    }
  });
  return out;
}
