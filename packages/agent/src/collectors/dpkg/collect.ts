/**
 * A dpkg host: installed packages from /var/lib/dpkg/status (core's parser),
 * available updates from an apt-get simulation run on the host (inside the
 * root). No apt-get there, or a failing one: updates unknown (null).
 */
import { parseDpkgStatus } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import type { HostRunner } from '../../runner/runner.js';
import { decode } from '../wire-package.js';
import type { CollectedUpdate } from '../wire-package.js';
import { parseAptSimulation } from './parse-apt.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const APT_SIMULATE_ARGS = ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'] as const;

export async function collectDpkgPackages(runner: HostRunner): Promise<InstalledPackage[] | null> {
  const text = decode(await runner.readFile(DPKG_STATUS));
  return text === null ? null : parseDpkgStatus(text);
}

export async function collectAptUpdates(
  runner: HostRunner,
  warnings: string[],
): Promise<CollectedUpdate[] | null> {
  const res = await runner.run('apt-get', APT_SIMULATE_ARGS, { timeoutMs: 300_000 });
  if (res === null) {
    warnings.push(`apt-get is not available (${runner.description}): updates unknown`);
    return null;
  }
  if (res.code !== 0) {
    const reason = res.stderr.trim().split('\n').pop() ?? '';
    warnings.push(`apt-get -s dist-upgrade exited ${res.code}${reason === '' ? '' : `: ${reason}`}`);
    return null;
  }
  const parsed = parseAptSimulation(res.stdout);
  warnings.push(...parsed.warnings);
  return parsed.items;
}
