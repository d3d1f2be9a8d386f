/**
 * An rpm host: installed packages from `rpm -qa --qf RPM_QUERY_FORMAT`
 * (core's parser). Under a root other than '/', this machine's (or the SSH
 * host's) rpm reads the root's database with `--root ROOT --dbpath DB`, DB
 * being the database directory found inside the root; rpm's own macros may
 * point anywhere else (Debian's rpm: /root/.rpmdb), so --dbpath is always
 * given. Updates come from dnf on the host (inside the root); no dnf: null.
 */
import { parseRpmQa, PatchloopError, RPM_QUERY_FORMAT } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import type { HostRunner } from '../../runner/runner.js';
import { mergeDnfUpdates } from './merge-updates.js';
import { parseCheckUpdate, parseUpdateinfoList } from './parse-dnf.js';
import type { CollectedUpdate } from '../wire-package.js';

/** Where rpm keeps its database, newest layout first. */
export const RPM_DB_PATHS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
/** The files of an rpm database: sqlite (rpm ≥ 4.16), ndb, Berkeley DB. */
export const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];

/** The rpm database directory inside the root, or null. */
export async function findRpmDb(runner: HostRunner): Promise<string | null> {
  for (const dir of RPM_DB_PATHS) {
    for (const file of RPM_DB_FILES) if (await runner.exists(`${dir}/${file}`)) return dir;
  }
  return null;
}

export async function collectRpmPackages(runner: HostRunner, dbPath: string): Promise<InstalledPackage[]> {
  const query = ['--dbpath', dbPath, '-qa', '--qf', RPM_QUERY_FORMAT];
  const res =
    runner.root === '/'
      ? await runner.run('rpm', query, { timeoutMs: 300_000 })
      : await runner.runTool('rpm', ['--root', runner.root, ...query], { timeoutMs: 300_000 });
  const where = `${dbPath} (${runner.description})`;
  if (res === null) {
    throw new PatchloopError(
      'PL_AGENT_PACKAGE_DB_UNREADABLE',
      `an rpm database is at ${where} but the rpm command that reads it is not available`,
    );
  }
  if (res.code !== 0) {
    throw new PatchloopError(
      'PL_AGENT_PACKAGE_DB_UNREADABLE',
      `cannot read the rpm database at ${where}: rpm exited ${res.code}: ${res.stderr.trim().slice(0, 500)}`,
    );
  }
  return parseRpmQa(res.stdout);
}

export async function collectDnfUpdates(
  runner: HostRunner,
  installed: readonly InstalledPackage[],
  warnings: string[],
): Promise<CollectedUpdate[] | null> {
  const check = await runner.run('dnf', ['-q', 'check-update'], { timeoutMs: 300_000 });
  if (check === null) {
    warnings.push(`dnf is not available (${runner.description}): updates unknown`);
    return null;
  }
  if (check.code === 0) return [];
  if (check.code !== 100) {
    warnings.push(`dnf check-update exited ${check.code}: ${check.stderr.trim().split('\n').pop() ?? ''}`);
    return null;
  }
  const rows = parseCheckUpdate(check.stdout);
  warnings.push(...rows.warnings);
  const info = await runner.run('dnf', ['-q', 'updateinfo', 'list', '--updates'], { timeoutMs: 300_000 });
  let advisories = parseUpdateinfoList('');
  if (info === null || info.code !== 0) {
    warnings.push(`dnf updateinfo failed${info === null ? '' : ` (exit ${info.code})`}: no advisory ids`);
  } else {
    advisories = parseUpdateinfoList(info.stdout);
    warnings.push(...advisories.warnings);
  }
  return mergeDnfUpdates(rows.items, advisories.items, installed);
}
