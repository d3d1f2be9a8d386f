/**
 * Whether the host needs a reboot, and why:
 * - "kernel": a newer kernel than the running one is installed;
 * - "reboot-required-file": /var/run/reboot-required exists (Debian and
 *   Ubuntu packages' postinst scripts create it; /var/run/reboot-required.pkgs
 *   lists the packages that asked, one per line);
 * - "needs-restarting": `needs-restarting -r` (dnf-utils / yum-utils) exits 1
 *   (0 = no reboot needed; anything else says nothing).
 */
import type { HostFacts } from '@patchloop/contracts';
import type { CommandResult } from '../../runner/runner.js';
import type { Parsed } from '../wire-package.js';

export type NeedsRestarting = 'required' | 'not-required' | 'unknown';

const MAX_PACKAGES = 1024;

/** The package names of reboot-required.pkgs, first occurrence order, duplicates dropped. */
export function parseRebootRequiredPkgs(text: string): Parsed<string> {
  const items: string[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') return;
    if (/\s/.test(name) || name.length > 256) {
      warnings.push(
        `reboot-required.pkgs line ${i + 1}: ${JSON.stringify(name.slice(0, 80))} is not a package name`,
      );
      return;
    }
    if (!items.includes(name) && items.length < MAX_PACKAGES) items.push(name);
  });
  return { items, warnings };
}

/** What `needs-restarting -r` says: exit 1 reboot, 0 none; missing command or another status: unknown. */
export function needsRestartingVerdict(res: CommandResult | null): NeedsRestarting {
  if (res === null) return 'unknown';
  if (res.code === 1) return 'required';
  if (res.code === 0) return 'not-required';
  return 'unknown';
}

export interface RebootEvidence {
  kernel: boolean;
  rebootRequiredFile: boolean;
  packages: readonly string[];
  needsRestarting: NeedsRestarting;
}

export function rebootFacts(e: RebootEvidence): HostFacts['reboot'] {
  const reasons: string[] = [];
  if (e.kernel) reasons.push('kernel');
  if (e.rebootRequiredFile) reasons.push('reboot-required-file');
  if (e.needsRestarting === 'required') reasons.push('needs-restarting');
  return { required: reasons.length > 0, reasons, packages: [...e.packages] };
}
