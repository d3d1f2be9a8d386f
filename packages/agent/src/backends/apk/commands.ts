/**
 * apk on Alpine: `apk update` (quiet), then `apk add name=version`. apk
 * never asks unless told to (--interactive), and an exact constraint
 * installs that version, up or down. Note: apk records the constraint in
 * /etc/apk/world, so the package stays at that version until the next job
 * (or an administrator) changes it: `apk upgrade` will not move it.
 */
import { checkPackages } from '../validate.js';
import type { BackendCommand, PackageTarget } from '../types.js';

export function apkRefreshCommand(): BackendCommand {
  return { command: 'apk', args: ['-q', 'update'], env: {} };
}

export function apkSpec(p: PackageTarget): string {
  return `${p.name}=${p.version}`;
}

export function apkInstallCommand(
  packages: readonly PackageTarget[],
  _opts: { allowDowngrades: boolean },
): BackendCommand {
  checkPackages(packages);
  return { command: 'apk', args: ['add', '--no-progress', ...packages.map(apkSpec)], env: {} };
}
