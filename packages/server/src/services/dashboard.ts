/**
 * The compliance summary and the console's dashboard. The dashboard's
 * figures are counted with the filters of the lists they link to (the same
 * API query, mapped by list-queries.ts, through the store's shared
 * conditions), so a figure and its list's `total` agree.
 */
import type { Compliance, Dashboard, FindingQuery, HostListQuery } from '@patchloop/contracts';
import {
  complianceSummary,
  countFindings,
  countHosts,
  createFeedStore,
  exceptedFindingIds,
  findingTrend,
  type ComplianceSummary,
  loadRiskSettings,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { findingWhere, hostWhere } from './list-queries.js';
import { memoizedRead } from './read-memo.js';

/** The host counts the compliance summary reports. */
const COMPLIANCE_HOSTS = {
  total: {},
  assessed: { assessed: true },
  notAssessed: { assessed: false },
  patchUnknown: { patchStatus: 'not-assessed' },
  upToDate: { patchStatus: 'up-to-date' },
} as const;

type ComplianceHosts = Record<keyof typeof COMPLIANCE_HOSTS, number>;

/** The compliance summary from the figures over the open findings and the host counts. */
function complianceOf(now: Date, c: ComplianceSummary, h: ComplianceHosts): Compliance {
  const patchKnown = h.total - h.patchUnknown;
  const share = (part: number, whole: number) => Math.round((part / whole) * 1000) / 1000;
  // Nothing assessed, nothing measured: no "100 %" over hosts whose findings mean nothing.
  const slaCompliance =
    h.assessed === 0 ? null : c.inScope === 0 ? 1 : share(c.inScope - c.breached, c.inScope);
  return {
    at: now.toISOString(),
    ...c,
    slaCompliance,
    hosts: { total: h.total, assessed: h.assessed, notAssessed: h.notAssessed },
    patch: {
      known: patchKnown,
      upToDate: h.upToDate,
      compliance: patchKnown === 0 ? null : share(h.upToDate, patchKnown),
    },
  };
}

/**
 * GET /api/v1/compliance at `now`: the figures over the open findings (through the read memo) and the
 * host counts (always read: a narrow pass over the hosts).
 */
export async function complianceReport(ctx: ServerContext, now: Date): Promise<Compliance> {
  const { sla } = await loadRiskSettings(ctx.db);
  const [c, h] = await Promise.all([
    memoizedRead(ctx, `compliance:${sla.dueSoonDays}`, now, () =>
      complianceSummary(ctx.db, now, sla.dueSoonDays),
    ),
    countHosts(ctx.db, COMPLIANCE_HOSTS),
  ]);
  return complianceOf(now, c, h);
}

/** The host lists the dashboard counts (GET /api/v1/hosts?…). */
const HOST_FIGURES = {
  total: {},
  stale: { stale: true },
  rebootRequired: { reboot: true },
  eol: { eol: true },
  withKev: { hasKev: true },
  notAssessed: { assessed: false },
} satisfies Record<keyof Dashboard['hosts'], HostListQuery>;

/** The host lists of each patch status (GET /api/v1/hosts?patchStatus=…). */
const PATCH_FIGURES = {
  securityUpdatesPending: { patchStatus: 'security-updates-pending' },
  rebootPending: { patchStatus: 'reboot-pending' },
  updatesPending: { patchStatus: 'updates-pending' },
  notAssessed: { patchStatus: 'not-assessed' },
  upToDate: { patchStatus: 'up-to-date' },
} satisfies Record<keyof Dashboard['patch'], HostListQuery>;

/** Sources whose last run failed, or that were tried and never succeeded; and whether any ever was. */
export async function feedHealth(ctx: ServerContext): Promise<Dashboard['feeds']> {
  const sources = await createFeedStore(ctx.db).status();
  return {
    imported: sources.some((f) => f.lastSuccess !== null),
    problems: sources
      .filter((f) => f.lastStatus === 'failed' || (f.lastImport !== null && f.lastSuccess === null))
      .map(({ source, lastStatus, lastImport, lastSuccess, lastError, lastErrorCode }) => ({
        source,
        lastStatus,
        lastImport,
        lastSuccess,
        lastError,
        lastErrorCode,
      })),
  };
}

/** The finding lists the dashboard counts (GET /api/v1/findings?…): open, not under an exception. */
const inScope = { status: 'open', excepted: false } as const;
const FINDING_FIGURES = {
  open: inScope,
  kev: { ...inScope, kev: true },
  breached: { ...inScope, sla: 'breached' },
  P1: { ...inScope, priority: 'P1' },
  P2: { ...inScope, priority: 'P2' },
  P3: { ...inScope, priority: 'P3' },
  P4: { ...inScope, priority: 'P4' },
} satisfies Record<string, FindingQuery>;

function mapValues<K extends string, A, B>(o: Record<K, A>, f: (a: A, k: K) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as A, k as K)])) as Record<K, B>;
}

function prefixed<P extends string, K extends string, A>(p: P, o: Record<K, A>): Record<`${P}.${K}`, A> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}.${k}`, v])) as Record<`${P}.${K}`, A>;
}

/**
 * The dashboard's figures over the open findings — the part whose cost grows with the fleet's findings
 * (three passes over them) — through the read memo: kept while no finding or exception changes.
 */
async function findingFigures(ctx: ServerContext, now: Date, days: number, dueSoonDays: number) {
  return memoizedRead(ctx, `dashboard:${days}:${dueSoonDays}`, now, async () => {
    // The findings under an exception at `now`, looked up once for the three finding figures.
    const shared = { excepted: await exceptedFindingIds(ctx.db, now, 'true') };
    // Independent passes: on PostgreSQL they run side by side on the pool's connections (the embedded
    // store takes them one after the other).
    const [counts, summary, trend] = await Promise.all([
      countFindings(
        ctx.db,
        now,
        mapValues(FINDING_FIGURES, (q: FindingQuery) => findingWhere(q, dueSoonDays)),
        shared,
      ),
      complianceSummary(ctx.db, now, dueSoonDays, shared),
      findingTrend(ctx.db, now, days, shared),
    ]);
    return { counts, summary, trend };
  });
}

export async function dashboard(ctx: ServerContext, days: number): Promise<Dashboard> {
  const now = ctx.now();
  const { sla } = await loadRiskSettings(ctx.db);
  // One pass over the hosts for the dashboard's host figures and the compliance summary's.
  const hostFigures = {
    ...HOST_FIGURES,
    ...prefixed('patch', PATCH_FIGURES),
    ...prefixed('compliance', COMPLIANCE_HOSTS),
  };
  const [h, { counts: f, summary, trend }, feeds] = await Promise.all([
    countHosts(
      ctx.db,
      mapValues(hostFigures, (q: HostListQuery) => hostWhere(q, now, ctx.config.staleAfterMs)),
    ),
    findingFigures(ctx, now, days, sla.dueSoonDays),
    feedHealth(ctx),
  ]);
  const compliance = complianceOf(
    now,
    summary,
    mapValues(COMPLIANCE_HOSTS, (_q, k) => h[`compliance.${k}`]),
  );
  return {
    at: now.toISOString(),
    compliance,
    hosts: mapValues(HOST_FIGURES, (_q, k) => h[k]),
    patch: mapValues(PATCH_FIGURES, (_q, k) => h[`patch.${k}`]),
    feeds,
    findings: {
      open: f.open,
      kev: f.kev,
      breached: f.breached,
      byPriority: { P1: f.P1, P2: f.P2, P3: f.P3, P4: f.P4 },
    },
    trend,
  };
}
