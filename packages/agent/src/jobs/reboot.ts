/**
 * Whether a job's host needs a reboot, and whether the agent may perform one.
 * Conservative: only an agent running on the machine itself (local runner on
 * '/') that was explicitly allowed to (`allowReboot`) schedules one, with
 * `shutdown -r +1` so the final report reaches the server first. A root
 * managed from outside (`--root`, a chroot or image) has no kernel of its own
 * to restart, and a host reached over SSH is rebooted by its owner.
 */
import type { AgentJob, JobReport } from '@patchloop/contracts';
import { collectKernel } from '../collectors/kernel/collect.js';
import { collectReboot } from '../collectors/reboot/collect.js';
import { runsOnLiveHost } from '../runner/runner.js';
import type { HostRunner } from '../runner/runner.js';
import type { InstalledDatabase } from './installed.js';

export type RebootReport = NonNullable<JobReport['reboot']>;

export const REASON_ROOT = 'the host is a filesystem root managed from outside; reboot it yourself';
export const REASON_SSH =
  'the host is reached over SSH (agentless): the agent does not reboot it; reboot it yourself';
export const REASON_NOT_ALLOWED =
  'this agent is not allowed to reboot the machine (start it with reboots enabled); reboot it yourself';
export const REASON_NEVER = 'policy: never';

/** /var/run/reboot-required(.pkgs), needs-restarting -r on rpm hosts, and a newer kernel than the running one. */
export async function rebootRequired(runner: HostRunner, db: InstalledDatabase): Promise<boolean> {
  const warnings: string[] = [];
  try {
    const kernel = await collectKernel(runner, db.manager, db.packages, warnings);
    const facts = await collectReboot(runner, db.manager, kernel.rebootNeeded, warnings);
    return facts.required;
  } catch {
    return runner.exists('/var/run/reboot-required');
  }
}

export interface RebootDecision {
  readonly report: RebootReport;
  /** Runs the reboot (`shutdown -r +1`) when the decision is to perform one; else null. */
  readonly command: readonly [string, readonly string[]] | null;
}

export function decideReboot(
  policy: AgentJob['reboot'],
  required: boolean,
  runner: HostRunner,
  allowReboot: boolean,
  deploymentId: number,
): RebootDecision {
  const no = (reason: string | null): RebootDecision => ({
    report: { required, performed: false, reason },
    command: null,
  });
  if (policy === 'never') return no(required ? REASON_NEVER : null);
  if (policy === 'if-required' && !required) return no(null);
  if (!runsOnLiveHost(runner)) return no(REASON_ROOT);
  if (runner.kind === 'ssh') return no(REASON_SSH);
  if (!allowReboot) return no(REASON_NOT_ALLOWED);
  return {
    report: { required, performed: true, reason: null },
    command: ['shutdown', ['-r', '+1', `Patchloop: reboot after deployment ${deploymentId}`]],
  };
}
