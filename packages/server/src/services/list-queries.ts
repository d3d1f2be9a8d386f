/**
 * API list queries → store filters, one mapping per list, used by the list
 * routes and by the dashboard, so each dashboard figure is the `total` of
 * the list it links to.
 */
import type { FindingQuery, HostListQuery } from '@patchloop/contracts';
import type { FindingWhere, HostWhere } from '@patchloop/store';

/** GET /api/v1/hosts: a host is stale when not seen for `staleAfterMs` before `now`. */
export function hostWhere(q: HostListQuery, now: Date, staleAfterMs: number): HostWhere {
  return {
    q: q.q,
    os: q.os,
    tag: q.tag,
    criticality: q.criticality,
    retired: q.retired ?? (q.include === 'retired' ? 'any' : undefined),
    stale: q.stale,
    staleBefore: new Date(now.getTime() - staleAfterMs),
    hasKev: q.hasKev,
    reboot: q.reboot,
    eol: q.eol,
    assessed: q.assessed,
    patchStatus: q.patchStatus,
  };
}

/** GET /api/v1/findings (and a host's findings): `due-soon` is within the SLA setting's dueSoonDays. */
export function findingWhere(q: FindingQuery, dueSoonDays: number): FindingWhere {
  return {
    severity: q.severity,
    kev: q.kev,
    status: q.status,
    advisory: q.advisory,
    package: q.package,
    priority: q.priority,
    sla: q.sla,
    dueSoonDays,
    excepted: q.excepted,
    includeRetired: q.include === 'retired',
  };
}
