import type { HostRunner } from '../../runner/runner.js';
import { installWith } from '../install.js';
import type { Backend, InstallOptions, InstallResult, PackageTarget } from '../types.js';
import { aptInstallCommand, aptRefreshCommand } from './commands.js';
import { classifyAptFailure } from './parse.js';

export { APT_ENV, aptInstallCommand, aptRefreshCommand, aptSpec } from './commands.js';
export { classifyAptFailure } from './parse.js';

export const aptBackend: Backend = {
  manager: 'dpkg',
  refreshCommand: aptRefreshCommand,
  installCommand: aptInstallCommand,
  classifyFailure: classifyAptFailure,
};

/** `apt-get update` then `apt-get install name=version…` on the host (in its root). */
export function install(
  runner: HostRunner,
  packages: readonly PackageTarget[],
  opts: InstallOptions,
): Promise<InstallResult> {
  return installWith(aptBackend, runner, packages, opts);
}
