/**
 * Reading findings: lists with filters (risk, SLA, exceptions), the fleet
 * view per advisory.
 */
import type { Queryable } from '../db.js';
import { exceptionMatch } from './exceptions.js';

export interface FindingRecord {
  readonly id: number;
  readonly hostId: number;
  readonly hostname: string;
  readonly data: Record<string, unknown>;
  readonly firstSeen: Date;
  readonly resolvedAt: Date | null;
  readonly riskScore: number | null;
  readonly priority: string | null;
  readonly risk: Record<string, unknown> | null;
  readonly dueAt: Date | null;
  readonly slaBasis: string | null;
  /** The active exception covering the finding, if any. */
  readonly exception: { readonly id: number; readonly kind: string; readonly expiresAt: Date } | null;
}

export interface FindingFilter {
  readonly hostId?: number | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly severity?: string | undefined;
  readonly kev?: boolean | undefined;
  /** fixable | unfixed | open (default) | resolved */
  readonly status?: string | undefined;
  readonly advisory?: string | undefined;
  readonly package?: string | undefined;
  readonly priority?: string | undefined;
  /** breached (open past due), due-soon (open, due within dueSoonDays), ok */
  readonly sla?: 'breached' | 'due-soon' | 'ok' | undefined;
  readonly dueSoonDays?: number | undefined;
  /** true: only findings under an active exception; false: only those without. */
  readonly excepted?: boolean | undefined;
  /** risk (highest first, the default) or host */
  readonly sort?: 'risk' | 'host' | undefined;
  readonly now: Date;
}

export async function listFindings(
  q: Queryable,
  f: FindingFilter,
): Promise<{ items: FindingRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  // Bound only when a clause uses it (an unused parameter has no type PostgreSQL can infer).
  let nowParam: string | null = null;
  const nowRef = () => (nowParam ??= `${p(f.now)}::timestamptz`);
  if (f.hostId !== undefined) where.push(`f.host_id = ${p(f.hostId)}`);
  const status = f.status ?? 'open';
  if (status === 'resolved') where.push('f.resolved_at IS NOT NULL');
  else where.push('f.resolved_at IS NULL');
  if (status === 'fixable' || status === 'unfixed') where.push(`f.status = ${p(status)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (f.advisory) {
    const a = p(f.advisory);
    where.push(`(f.advisory_id = ${a} OR f.data->'advisory'->'aliases' ? ${a})`);
  }
  if (f.package) where.push(`f.package = ${p(f.package)}`);
  if (f.priority) where.push(`f.priority = ${p(f.priority)}`);
  if (f.sla === 'breached') where.push(`f.due_at < ${nowRef()}`);
  if (f.sla === 'due-soon') {
    where.push(
      `f.due_at >= ${nowRef()} AND f.due_at <= ${nowRef()} + make_interval(days => ${p(f.dueSoonDays ?? 3)})`,
    );
  }
  if (f.sla === 'ok') where.push(`(f.due_at IS NULL OR f.due_at >= ${nowRef()})`);
  if (f.excepted !== undefined) {
    where.push(
      `${f.excepted ? '' : 'NOT '}EXISTS (SELECT 1 FROM risk_exception e WHERE ${exceptionMatch(nowRef())})`,
    );
  }
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM finding f JOIN host h ON h.id = f.host_id ${w}`,
    params,
  );
  const order =
    f.sort === 'host'
      ? 'h.hostname, f.host_id, f.package, f.advisory_id, f.id'
      : 'f.risk_score DESC NULLS LAST, h.hostname, f.package, f.advisory_id, f.id';
  const lateral = exceptionMatch(nowRef());
  const rows = await q.query<{
    id: number;
    host_id: number;
    hostname: string;
    data: Record<string, unknown>;
    first_seen: string;
    resolved_at: string | null;
    risk_score: number | null;
    priority: string | null;
    risk: Record<string, unknown> | null;
    due_at: string | null;
    sla_basis: string | null;
    exception_id: number | null;
    exception_kind: string | null;
    exception_expires_at: string | null;
  }>(
    `SELECT f.id, f.host_id, h.hostname, f.data, f.first_seen, f.resolved_at, f.risk_score, f.priority, f.risk,
       f.due_at, f.sla_basis, x.id AS exception_id, x.kind AS exception_kind, x.expires_at AS exception_expires_at
     FROM finding f JOIN host h ON h.id = f.host_id
     LEFT JOIN LATERAL (SELECT e.id, e.kind, e.expires_at FROM risk_exception e WHERE ${lateral}
                        ORDER BY e.expires_at DESC, e.id LIMIT 1) x ON true
     ${w}
     ORDER BY ${order}
     LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    total: total.rows[0]?.n ?? 0,
    items: rows.rows.map((r) => ({
      id: Number(r.id),
      hostId: Number(r.host_id),
      hostname: r.hostname,
      data: r.data,
      firstSeen: new Date(r.first_seen),
      resolvedAt: date(r.resolved_at),
      riskScore: r.risk_score === null ? null : Number(r.risk_score),
      priority: r.priority,
      risk: r.risk,
      dueAt: date(r.due_at),
      slaBasis: r.sla_basis,
      exception:
        r.exception_id === null
          ? null
          : {
              id: Number(r.exception_id),
              kind: r.exception_kind as string,
              expiresAt: new Date(r.exception_expires_at as string),
            },
    })),
  };
}

export interface VulnerabilityRow {
  readonly advisoryId: string;
  readonly sample: Record<string, unknown>;
  readonly hosts: number;
  readonly packages: string[];
  readonly fixable: number;
  readonly unfixed: number;
}

/** The fleet view: open findings grouped by advisory, most hosts first. */
export async function listVulnerabilities(
  q: Queryable,
  f: { limit: number; offset: number; kev?: boolean | undefined; severity?: string | undefined },
): Promise<{ items: VulnerabilityRow[]; total: number }> {
  const where = ['f.resolved_at IS NULL'];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await q.query<{ n: number }>(
    `SELECT count(DISTINCT f.advisory_id)::int AS n FROM finding f ${w}`,
    params,
  );
  const rows = await q.query<{
    advisory_id: string;
    sample: Record<string, unknown>;
    hosts: number;
    packages: string[];
    fixable: number;
    unfixed: number;
  }>(
    `SELECT f.advisory_id, (array_agg(f.data ORDER BY f.id))[1] AS sample,
       count(DISTINCT f.host_id)::int AS hosts, array_agg(DISTINCT f.package) AS packages,
       count(*) FILTER (WHERE f.status = 'fixable')::int AS fixable,
       count(*) FILTER (WHERE f.status = 'unfixed')::int AS unfixed
     FROM finding f ${w} GROUP BY f.advisory_id
     ORDER BY count(DISTINCT f.host_id) DESC, f.advisory_id LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return {
    total: total.rows[0]?.n ?? 0,
    items: rows.rows.map((r) => ({
      advisoryId: r.advisory_id,
      sample: r.sample,
      hosts: r.hosts,
      packages: [...r.packages].sort(),
      fixable: r.fixable,
      unfixed: r.unfixed,
    })),
  };
}

export interface ComplianceSummary {
  /** Open findings, excepted ones included. */
  readonly open: number;
  /** Open findings under an active exception: visible, but outside the figures below. */
  readonly excepted: number;
  readonly inScope: number;
  readonly breached: number;
  readonly dueSoon: number;
  readonly kev: number;
  readonly byPriority: Record<string, { open: number; breached: number }>;
  readonly hostsWithBreaches: number;
}

/** The SLA figures over open findings, leaving out those under an active exception. */
export async function complianceSummary(
  q: Queryable,
  now: Date,
  dueSoonDays: number,
): Promise<ComplianceSummary> {
  const r = await q.query<{
    priority: string | null;
    open: number;
    excepted: number;
    breached: number;
    due_soon: number;
    kev: number;
  }>(
    `WITH f AS (
       SELECT f.priority, f.due_at, f.kev, f.host_id,
         EXISTS (SELECT 1 FROM risk_exception e WHERE ${exceptionMatch('$1::timestamptz')}) AS excepted
       FROM finding f JOIN host h ON h.id = f.host_id WHERE f.resolved_at IS NULL)
     SELECT priority, count(*)::int AS open, count(*) FILTER (WHERE excepted)::int AS excepted,
       count(*) FILTER (WHERE NOT excepted AND due_at < $1)::int AS breached,
       count(*) FILTER (WHERE NOT excepted AND due_at >= $1 AND due_at <= $1::timestamptz + make_interval(days => $2))::int AS due_soon,
       count(*) FILTER (WHERE NOT excepted AND kev)::int AS kev
     FROM f GROUP BY priority`,
    [now, dueSoonDays],
  );
  const hosts = await q.query<{ n: number }>(
    `SELECT count(DISTINCT f.host_id)::int AS n FROM finding f JOIN host h ON h.id = f.host_id
     WHERE f.resolved_at IS NULL AND f.due_at < $1
       AND NOT EXISTS (SELECT 1 FROM risk_exception e WHERE ${exceptionMatch('$1::timestamptz')})`,
    [now],
  );
  const sum = (k: 'open' | 'excepted' | 'breached' | 'due_soon' | 'kev') =>
    r.rows.reduce((s, row) => s + row[k], 0);
  const byPriority: Record<string, { open: number; breached: number }> = {};
  for (const row of r.rows) {
    byPriority[row.priority ?? 'none'] = { open: row.open - row.excepted, breached: row.breached };
  }
  return {
    open: sum('open'),
    excepted: sum('excepted'),
    inScope: sum('open') - sum('excepted'),
    breached: sum('breached'),
    dueSoon: sum('due_soon'),
    kev: sum('kev'),
    byPriority,
    hostsWithBreaches: hosts.rows[0]?.n ?? 0,
  };
}
