/**
 * The host's package database, whichever exists under the root: dpkg
 * status, then apk's installed database, then an rpm database. Read by the
 * collection and, fresh, by jobs before and after installing.
 */
import { PatchloopError } from '@patchloop/core';
import type { InstalledPackage, PackageManager } from '@patchloop/core';
import type { HostRunner } from '../runner/runner.js';
import { APK_INSTALLED, collectApkPackages } from './apk/collect.js';
import { collectDpkgPackages, DPKG_STATUS } from './dpkg/collect.js';
import { collectRpmPackages, findRpmDb, RPM_DB_PATHS } from './rpm/collect.js';

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
    { runner: runner.description },
  );
}
