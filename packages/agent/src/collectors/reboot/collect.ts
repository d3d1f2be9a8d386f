/** The reboot state of a host: the reboot-required files, needs-restarting on RPM hosts, and the kernel. */
import type { PackageManager } from '@patchloop/core';
import type { HostFacts } from '@patchloop/contracts';
import { runsOnLiveHost } from '../../runner/runner.js';
import type { HostRunner } from '../../runner/runner.js';
import { decode } from '../wire-package.js';
import { needsRestartingVerdict, parseRebootRequiredPkgs, rebootFacts } from './parse.js';
import type { NeedsRestarting } from './parse.js';

export async function collectReboot(
  runner: HostRunner,
  manager: PackageManager,
  kernelRebootNeeded: boolean,
  warnings: string[],
): Promise<HostFacts['reboot']> {
  const rebootRequiredFile = await runner.exists('/var/run/reboot-required');
  let packages: string[] = [];
  const pkgsText = decode(await runner.readFile('/var/run/reboot-required.pkgs', 1 << 20));
  if (pkgsText !== null) {
    const parsed = parseRebootRequiredPkgs(pkgsText);
    packages = parsed.items;
    warnings.push(...parsed.warnings);
  }
  let needsRestarting: NeedsRestarting = 'unknown';
  // needs-restarting compares the boot time with what is installed: only a live host has one.
  if (manager === 'rpm' && runsOnLiveHost(runner)) {
    const res = await runner.run('needs-restarting', ['-r'], { timeoutMs: 60_000 });
    needsRestarting = needsRestartingVerdict(res);
    if (res === null)
      warnings.push('needs-restarting is not installed (dnf-utils): reboot need of services unknown');
    else if (needsRestarting === 'unknown') warnings.push(`needs-restarting -r exited ${res.code}`);
  }
  return rebootFacts({ kernel: kernelRebootNeeded, rebootRequiredFile, packages, needsRestarting });
}
