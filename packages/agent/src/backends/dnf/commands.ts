/**
 * dnf on Fedora, RHEL and its rebuilds: `dnf makecache` (quiet), then
 * `dnf -y install name-version[.arch]`. dnf's `install` with an exact
 * version installs that version whatever is installed, a lower one included
 * (dnf(8), "install"), so a rollback needs no other command; install jobs
 * that would downgrade are refused before this runs (jobs/runner.ts).
 * Never `dnf upgrade`.
 */
import { checkPackages } from '../validate.js';
import type { BackendCommand, PackageTarget } from '../types.js';

export function dnfRefreshCommand(): BackendCommand {
  return { command: 'dnf', args: ['-q', '-y', 'makecache'], env: {} };
}

/** `name-[epoch:]version-release` with `.arch` when the job names it (dnf's NEVRA forms). */
export function dnfSpec(p: PackageTarget): string {
  return `${p.name}-${p.version}${p.arch === undefined ? '' : `.${p.arch}`}`;
}

export function dnfInstallCommand(
  packages: readonly PackageTarget[],
  _opts: { allowDowngrades: boolean },
): BackendCommand {
  checkPackages(packages);
  return { command: 'dnf', args: ['-y', 'install', ...packages.map(dnfSpec)], env: {} };
}
