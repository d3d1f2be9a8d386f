/** The running kernel and the newest installed one. */
import type { InstalledPackage, PackageManager } from '@patchloop/core';
import type { HostFacts } from '@patchloop/contracts';
import { runsOnLiveHost } from '../../runner/runner.js';
import type { HostRunner } from '../../runner/runner.js';
import { installedKernels, kernelRebootNeeded, kernelsFromBoot, newestKernel } from './parse.js';

export type KernelCollected = HostFacts['kernel'] & {
  /** A newer kernel than the running one is installed. */
  rebootNeeded: boolean;
};

/**
 * `uname -r` only means something on a live host (a local root other than '/'
 * is an image: its running kernel is this machine's, so it is null there).
 */
export async function collectKernel(
  runner: HostRunner,
  manager: PackageManager,
  packages: readonly InstalledPackage[],
  warnings: string[],
): Promise<KernelCollected> {
  let running: string | null = null;
  if (runsOnLiveHost(runner)) {
    const res = await runner.run('uname', ['-r']);
    const release = res !== null && res.code === 0 ? res.stdout.trim() : '';
    if (release !== '' && !/\s/.test(release)) running = release.slice(0, 256);
    else warnings.push('uname -r gave no kernel release');
  }
  let candidates = installedKernels(manager, packages);
  if (candidates.length === 0) candidates = kernelsFromBoot((await runner.listDir('/boot')) ?? []);
  const newestInstalled = newestKernel(manager, candidates)?.slice(0, 256) ?? null;
  return { running, newestInstalled, rebootNeeded: kernelRebootNeeded(running, newestInstalled) };
}
