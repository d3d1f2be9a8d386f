/** Store records → API shapes (the response schemas drop anything else). */
import type { Finding, FindingQuery, Host, HostSummary } from '@patchloop/contracts';
import { slaState } from '@patchloop/core';
import {
  listFindings,
  type FindingCursor,
  type FindingRecord,
  type HostRecord,
  loadRiskSettings,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { CSV_PAGE, type Batches, type CsvColumns, type PageOf } from '../services/csv.js';
import { findingWhere } from '../services/list-queries.js';

const COUNT_KEYS = [
  'total',
  'fixable',
  'unfixed',
  'kev',
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
] as const;

export function isStale(h: HostRecord, now: Date, staleAfterMs: number): boolean {
  return h.lastSeen === null ? h.transport !== 'import' : now.getTime() - h.lastSeen.getTime() > staleAfterMs;
}

export function hostSummary(h: HostRecord, now: Date, staleAfterMs: number): HostSummary {
  return {
    id: h.id,
    hostname: h.hostname,
    duplicateName: h.duplicateName,
    machineId: h.machineId,
    retired: h.retired && { at: h.retired.at.toISOString(), by: h.retired.by, reason: h.retired.reason },
    os: h.os,
    tags: h.tags,
    lastSeen: h.lastSeen?.toISOString() ?? null,
    stale: isStale(h, now, staleAfterMs),
    packageCount: h.packageCount,
    findingCounts: Object.fromEntries(
      COUNT_KEYS.map((k) => [k, h.findingCounts[k] ?? 0]),
    ) as HostSummary['findingCounts'],
    rebootRequired: h.reboot.required,
    criticality: h.criticality,
    transport: h.transport,
    assessment: assessmentOf(h),
    patchStatus: (h.patchStatus as HostSummary['patchStatus'] | null) ?? 'not-assessed',
    pendingUpdates: h.pendingUpdates,
    lastPatchedAt: h.lastPatchedAt?.toISOString() ?? null,
    eolStatus: typeof h.eol?.status === 'string' ? h.eol.status : null,
  };
}

/** As the store's ASSESSED condition (the `assessed` filter), with the reason when not. */
export function assessmentOf(h: HostRecord): HostSummary['assessment'] {
  if (h.assessedAt !== null && h.assessmentError === null) return { state: 'assessed', reason: null };
  const reason =
    h.assessmentError ??
    (h.packageManager === null
      ? 'no package inventory received yet'
      : 'waiting for the first assessment of its inventory');
  return { state: 'not-assessed', reason };
}

export function hostDetail(h: HostRecord, now: Date, staleAfterMs: number): Host {
  return {
    ...hostSummary(h, now, staleAfterMs),
    arch: h.arch,
    kernel: h.kernel,
    reboot: h.reboot,
    agentVersion: h.agentVersion,
    enrolledAt: h.enrolledAt.toISOString(),
    lastInventoryAt: h.lastInventoryAt?.toISOString() ?? null,
    packageManager: h.packageManager,
    groups: h.groups,
    environment: h.environment,
    internetFacing: h.internetFacing,
    owner: h.owner,
    userRisk: h.userRisk,
    eol: (h.eol as Host['eol']) ?? null,
    updatesAvailable: h.updates === null ? null : h.updates.length,
    assessedAt: h.assessedAt?.toISOString() ?? null,
    assessmentNote: h.assessmentError,
  };
}

type Derived = 'id' | 'hostId' | 'hostname' | 'firstSeen' | 'resolvedAt' | 'risk' | 'sla' | 'exception';

export function findingView(f: FindingRecord, now: Date, dueSoonDays: number): Finding {
  const detail = f.risk as { factors?: NonNullable<Finding['risk']>['factors']; explanation?: string } | null;
  return {
    ...(f.data as Omit<Finding, Derived>),
    id: f.id,
    hostId: f.hostId,
    hostname: f.hostname,
    firstSeen: f.firstSeen.toISOString(),
    resolvedAt: f.resolvedAt?.toISOString() ?? null,
    risk:
      f.riskScore === null || f.priority === null
        ? null
        : {
            score: f.riskScore,
            priority: f.priority,
            factors: detail?.factors ?? [],
            explanation: detail?.explanation ?? '',
          },
    sla:
      f.dueAt === null
        ? null
        : {
            dueAt: f.dueAt.toISOString(),
            basis: f.slaBasis ?? 'priority',
            state: slaState(f.dueAt, now, f.resolvedAt, dueSoonDays),
          },
    exception: f.exception && {
      id: f.exception.id,
      kind: f.exception.kind,
      expiresAt: f.exception.expiresAt.toISOString(),
    },
  };
}

/** Pages of GET /api/v1/findings (or one host's findings) for a query, as the API shows them. */
export async function findingPages(
  ctx: ServerContext,
  q: FindingQuery,
  hostId?: number,
): Promise<PageOf<Finding>> {
  const now = ctx.now();
  const { sla } = await loadRiskSettings(ctx.db);
  return async (offset, limit) => {
    const r = await listFindings(ctx.db, {
      ...findingWhere(q, sla.dueSoonDays),
      // A host's own page shows its findings also once it is retired.
      ...(hostId === undefined ? {} : { hostId, includeRetired: true }),
      limit,
      offset,
      sort: q.sort,
      now,
    });
    return { items: r.items.map((f) => findingView(f, now, sla.dueSoonDays)), total: r.total };
  };
}

/**
 * Rows per keyset batch of a findings export: each batch still sorts the rows after the cursor (no
 * index has the list's order), so fewer, larger batches cost less (5,000 rows: ~15 MiB held).
 */
const FINDING_BATCH = 5 * CSV_PAGE;

/**
 * Every finding `q` selects, in the list's order, FINDING_BATCH at a time by keyset (each batch after
 * the last row of the one before; no total counted): what the CSV export streams.
 */
export async function* findingBatches(
  ctx: ServerContext,
  q: FindingQuery,
  hostId?: number,
): Batches<Finding> {
  const now = ctx.now();
  const { sla } = await loadRiskSettings(ctx.db);
  for (let after: FindingCursor | null | undefined; after !== null;) {
    const r = await listFindings(ctx.db, {
      ...findingWhere(q, sla.dueSoonDays),
      ...(hostId === undefined ? {} : { hostId, includeRetired: true }),
      limit: FINDING_BATCH,
      offset: 0,
      after,
      count: false,
      sort: q.sort,
      now,
    });
    yield r.items.map((f) => findingView(f, now, sla.dueSoonDays));
    after = r.next;
  }
}

export const FINDING_CSV: CsvColumns<Finding> = {
  id: (f) => f.id,
  host: (f) => f.hostname,
  advisory: (f) => f.advisory.id,
  aliases: (f) => f.advisory.aliases,
  package: (f) => f.package,
  source_package: (f) => f.sourcePackage,
  installed_version: (f) => f.installedVersion,
  fixed_version: (f) => f.fixedVersion,
  status: (f) => f.status,
  severity: (f) => f.severity,
  cvss: (f) => f.cvss?.score,
  kev: (f) => (f.kev ? 'yes' : ''),
  epss: (f) => f.epss?.score,
  risk: (f) => f.risk?.score,
  priority: (f) => f.risk?.priority,
  due: (f) => f.sla?.dueAt,
  sla: (f) => f.sla?.state,
  first_seen: (f) => f.firstSeen,
  resolved_at: (f) => f.resolvedAt,
  exception: (f) => f.exception?.id,
};
