import type { HostRunner } from '../../runner/runner.js';
import { installWith } from '../install.js';
import type { Backend, InstallOptions, InstallResult, PackageTarget } from '../types.js';
import { dnfInstallCommand, dnfRefreshCommand } from './commands.js';
import { classifyDnfFailure } from './parse.js';

export { dnfInstallCommand, dnfRefreshCommand, dnfSpec } from './commands.js';
export { classifyDnfFailure } from './parse.js';

export const dnfBackend: Backend = {
  manager: 'rpm',
  refreshCommand: dnfRefreshCommand,
  installCommand: dnfInstallCommand,
  classifyFailure: classifyDnfFailure,
};

/** `dnf makecache` then `dnf -y install name-version…` on the host (in its root). */
export function install(
  runner: HostRunner,
  packages: readonly PackageTarget[],
  opts: InstallOptions,
): Promise<InstallResult> {
  return installWith(dnfBackend, runner, packages, opts);
}
