import type { HostRunner } from '../../runner/runner.js';
import { installWith } from '../install.js';
import type { Backend, InstallOptions, InstallResult, PackageTarget } from '../types.js';
import { apkInstallCommand, apkRefreshCommand } from './commands.js';
import { classifyApkFailure } from './parse.js';

export { apkInstallCommand, apkRefreshCommand, apkSpec } from './commands.js';
export { classifyApkFailure } from './parse.js';

export const apkBackend: Backend = {
  manager: 'apk',
  refreshCommand: apkRefreshCommand,
  installCommand: apkInstallCommand,
  classifyFailure: classifyApkFailure,
};

/** `apk update` then `apk add name=version…` on the host (in its root). */
export function install(
  runner: HostRunner,
  packages: readonly PackageTarget[],
  opts: InstallOptions,
): Promise<InstallResult> {
  return installWith(apkBackend, runner, packages, opts);
}
