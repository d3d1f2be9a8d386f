/**
 * The dashboard's figures and the list each one links to (pure, tested
 * without a browser): the links carry exactly the filters the server used
 * to count, so the list's total equals the figure.
 */
import type { Dashboard } from '../api/types.js';
export type DashboardData = Dashboard;

const OPEN = 'status=open&excepted=false';

export const LINKS = {
  open: `/findings?${OPEN}`,
  kev: `/findings?${OPEN}&kev=true`,
  breached: `/findings?${OPEN}&sla=breached`,
  priority: (p: string) => `/findings?${OPEN}&priority=${p}`,
  hosts: '/hosts',
  stale: '/hosts?stale=true',
  reboot: '/hosts?reboot=true',
  eol: '/hosts?eol=true',
  hostsWithKev: '/hosts?hasKev=true',
  notAssessed: '/hosts?assessed=false',
  patch: (status: string) => `/hosts?patchStatus=${status}`,
} as const;

/** The patch status figures (Dashboard.patch) with their status and label, most urgent first. */
export const PATCH_FIGURES = [
  ['securityUpdatesPending', 'security-updates-pending', 'Security updates pending'],
  ['rebootPending', 'reboot-pending', 'Reboot pending'],
  ['updatesPending', 'updates-pending', 'Updates pending'],
  ['notAssessed', 'not-assessed', 'Patch status unknown'],
  ['upToDate', 'up-to-date', 'Up to date'],
] as const;

/** The dashboard's warning about feeds, or null when they are fine. */
export function feedWarning(d: DashboardData): string | null {
  const failing = d.feeds.problems.map((f) => `${f.source}${f.lastErrorCode ? ` (${f.lastErrorCode})` : ''}`);
  if (!d.feeds.imported) {
    return failing.length > 0
      ? `No feed has been imported successfully (failed: ${failing.join(', ')}): no host can be assessed.`
      : 'No vulnerability feed has been imported yet: no host can be assessed. Run a feed sync or `patchloop feeds import`.';
  }
  if (failing.length === 0) return null;
  return `Feed sync failed for ${failing.join(', ')}: findings may be out of date.`;
}

export { PRIORITIES } from '@patchloop/core/vocabulary';

/** What the dashboard says to do first, in order of urgency. */
export function nextSteps(d: DashboardData): { text: string; to: string }[] {
  const out: { text: string; to: string }[] = [];
  if (d.hosts.total === 0) return out;
  if (d.hosts.notAssessed > 0)
    out.push({
      text: `${d.hosts.notAssessed} hosts are not assessed: their findings mean nothing yet`,
      to: LINKS.notAssessed,
    });
  if (d.patch.securityUpdatesPending > 0)
    out.push({
      text: `${d.patch.securityUpdatesPending} hosts have security updates pending`,
      to: LINKS.patch('security-updates-pending'),
    });
  if (d.findings.breached > 0)
    out.push({ text: `${d.findings.breached} findings are past their SLA due date`, to: LINKS.breached });
  if (d.findings.kev > 0)
    out.push({ text: `${d.findings.kev} findings are known exploited (KEV)`, to: LINKS.kev });
  if (d.hosts.eol > 0)
    out.push({ text: `${d.hosts.eol} hosts run a release past its end of life`, to: LINKS.eol });
  if (d.hosts.stale > 0)
    out.push({ text: `${d.hosts.stale} hosts have stopped checking in`, to: LINKS.stale });
  if (d.hosts.rebootRequired > 0)
    out.push({ text: `${d.hosts.rebootRequired} hosts need a reboot`, to: LINKS.reboot });
  return out;
}
