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
  exceptedFindingIds,
  findingTrend,
  type SharedExcepted,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { findingWhere, hostWhere } from './list-queries.js';
import { loadRiskSettings } from './risk-settings.js';

/** GET /api/v1/compliance at `now`. */
export async function complianceReport(
  ctx: ServerContext,
  now: Date,
  shared: SharedExcepted = {},
): Promise<Compliance> {
  const { sla } = await loadRiskSettings(ctx.db);
  const c = await complianceSummary(ctx.db, now, sla.dueSoonDays, shared);
  const slaCompliance = c.inScope === 0 ? 1 : Math.round((1 - c.breached / c.inScope) * 1000) / 1000;
  return { at: now.toISOString(), ...c, slaCompliance };
}

/** The host lists the dashboard counts (GET /api/v1/hosts?…). */
const HOST_FIGURES = {
  total: {},
  stale: { stale: true },
  rebootRequired: { reboot: true },
  eol: { eol: true },
  withKev: { hasKev: true },
} satisfies Record<keyof Dashboard['hosts'], HostListQuery>;

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

function mapValues<K extends string, A, B>(o: Record<K, A>, f: (a: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as A)])) as Record<K, B>;
}

export async function dashboard(ctx: ServerContext, days: number): Promise<Dashboard> {
  const now = ctx.now();
  const { sla } = await loadRiskSettings(ctx.db);
  // The findings under an exception at `now`, looked up once for the three finding figures.
  const shared = { excepted: await exceptedFindingIds(ctx.db, now, 'true') };
  // Four independent reads, each a pass over the findings at 100,000s of them: on PostgreSQL they run
  // side by side on the pool's connections (the embedded store takes them one after the other).
  const [hosts, f, compliance, trend] = await Promise.all([
    countHosts(
      ctx.db,
      mapValues(HOST_FIGURES, (q: HostListQuery) => hostWhere(q, now, ctx.config.staleAfterMs)),
    ),
    countFindings(
      ctx.db,
      now,
      mapValues(FINDING_FIGURES, (q: FindingQuery) => findingWhere(q, sla.dueSoonDays)),
      shared,
    ),
    complianceReport(ctx, now, shared),
    findingTrend(ctx.db, now, days, shared),
  ]);
  return {
    at: now.toISOString(),
    compliance,
    hosts,
    findings: {
      open: f.open,
      kev: f.kev,
      breached: f.breached,
      byPriority: { P1: f.P1, P2: f.P2, P3: f.P3, P4: f.P4 },
    },
    trend,
  };
}
