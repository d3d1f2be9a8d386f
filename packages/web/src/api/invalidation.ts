/**
 * What each change affects, in one place: after a mutation succeeds, every
 * cached view it may have changed is invalidated (refetched if on screen,
 * else refetched when next shown). Keys are prefixes (see keys.ts).
 * Every state change is audited on the server, so each also refreshes the
 * audit log.
 */
import type { QueryClient } from '@tanstack/react-query';
import { keys, type QueryKey } from './keys.js';

/**
 * What the server re-assesses when a host's risk inputs or an exception
 * change: findings (the fleet's and each host's), what is counted from them
 * (vulnerabilities, remediations, the dashboard and its compliance figures)
 * and the host list and pages, which show finding counts.
 */
const ASSESSMENT: readonly QueryKey[] = [
  keys.findings.all,
  keys.vulnerabilities.all,
  keys.remediations.all,
  keys.dashboard,
  keys.hosts.all,
];

export const AFFECTS = {
  /** Criticality, environment, exposure, owner, user risk, tags or groups: the host is re-assessed. */
  'host.edit': [...ASSESSMENT, keys.audit.all],
  'host.tags': [keys.hosts.all, keys.audit.all],
  /** Retire, reinstate or delete: the host enters or leaves every list and figure. */
  'host.lifecycle': [keys.all],
  'host.enroll-token': [keys.audit.all],
  'exception.request': [keys.exceptions.all, keys.audit.all],
  /** Approve, reject or revoke: findings enter or leave the excepted set. */
  'exception.decide': [keys.exceptions.all, ...ASSESSMENT, keys.audit.all],
  'policy.save': [keys.policies.all, keys.audit.all],
  /** Start (from a policy, a host's updates or a remediation), halt, resume, cancel, roll back. */
  'deployment.change': [keys.deployments.all, keys.audit.all],
  'feeds.sync': [keys.feeds],
  /**
   * The rotation's answer carries the new secret, shown once, and replaces the cached enrollment
   * (mutation's `update`): a refetch would answer without it.
   */
  'enrollment.rotate': [keys.audit.all],
  'user.change': [keys.users, keys.audit.all],
  'token.change': [keys.tokens, keys.audit.all],
  'password.change': [keys.audit.all],
} as const satisfies Record<string, readonly QueryKey[]>;

export type Change = keyof typeof AFFECTS;

/** Invalidates every query the change affects. */
export async function invalidate(qc: QueryClient, change: Change): Promise<void> {
  await Promise.all(AFFECTS[change].map((queryKey) => qc.invalidateQueries({ queryKey })));
}
