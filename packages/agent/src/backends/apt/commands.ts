/**
 * apt on Debian and Ubuntu: `apt-get update` (quiet), then `apt-get install`
 * of exact versions (`name=version`, `name:arch=version`), non-interactive:
 * no debconf question (DEBIAN_FRONTEND=noninteractive), changed
 * configuration files keep the local version unless it is unmodified
 * (--force-confdef --force-confold), `-y`; downgrades only for a rollback
 * (--allow-downgrades). Never `apt-get upgrade`: only the named packages
 * (and what they depend on) change.
 */
import { checkPackages } from '../validate.js';
import type { BackendCommand, PackageTarget } from '../types.js';

export const APT_ENV: Readonly<Record<string, string>> = {
  DEBIAN_FRONTEND: 'noninteractive',
  APT_LISTCHANGES_FRONTEND: 'none',
  // Ubuntu's needrestart asks which services to restart unless told to only list them.
  NEEDRESTART_MODE: 'l',
};

export function aptRefreshCommand(): BackendCommand {
  return { command: 'apt-get', args: ['-qq', 'update'], env: APT_ENV };
}

/** `name=version`, or `name:arch=version` when the job names the architecture. */
export function aptSpec(p: PackageTarget): string {
  return `${p.name}${p.arch === undefined ? '' : `:${p.arch}`}=${p.version}`;
}

export function aptInstallCommand(
  packages: readonly PackageTarget[],
  opts: { allowDowngrades: boolean },
): BackendCommand {
  checkPackages(packages);
  return {
    command: 'apt-get',
    args: [
      '-y',
      '-q',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      ...(opts.allowDowngrades ? ['--allow-downgrades'] : []),
      'install',
      '--',
      ...packages.map(aptSpec),
    ],
    env: APT_ENV,
  };
}
