/**
 * The installed versions of a job's packages, read fresh from the host's
 * package database through the runner (the collectors' readers: dpkg status,
 * apk installed, rpm -qa), and the comparison of what is installed with what
 * a job asked for, in the database's own version order (core's schemes).
 */
import type { InstalledVersion } from '@patchloop/contracts';
import { PatchloopError, schemeFor } from '@patchloop/core';
import type { InstalledPackage, PackageManager } from '@patchloop/core';
import { APK_INSTALLED, collectApkPackages } from '../collectors/apk/collect.js';
import { collectDpkgPackages, DPKG_STATUS } from '../collectors/dpkg/collect.js';
import { collectRpmPackages, findRpmDb, RPM_DB_PATHS } from '../collectors/rpm/collect.js';
import type { PackageTarget } from '../backends/types.js';
import type { HostRunner } from '../runner/runner.js';

export interface InstalledDatabase {
  readonly manager: PackageManager;
  readonly packages: readonly InstalledPackage[];
}

export async function readInstalled(runner: HostRunner): Promise<InstalledDatabase> {
  const dpkg = await collectDpkgPackages(runner);
  if (dpkg !== null) return { manager: 'dpkg', packages: dpkg };
  const apk = await collectApkPackages(runner);
  if (apk !== null) return { manager: 'apk', packages: apk };
  const rpmDb = await findRpmDb(runner);
  if (rpmDb !== null) return { manager: 'rpm', packages: await collectRpmPackages(runner, rpmDb) };
  throw new PatchloopError(
    'PL_AGENT_PACKAGE_DB_MISSING',
    `${runner.description}: no package database (${DPKG_STATUS}, ${APK_INSTALLED}, or an rpm database in ${RPM_DB_PATHS.join(' or ')})`,
  );
}

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
