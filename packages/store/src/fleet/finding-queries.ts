/**
 * Reading findings: lists with filters (risk, SLA, exceptions), the fleet
 * view per advisory.
 */
import type { Queryable } from '../db.js';
import { exceptionMatch } from './exceptions.js';
import { countMatching, sqlParams } from './filter-counts.js';

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

/** What a finding list filters on (GET /api/v1/findings, and the dashboard's finding figures). */
export interface FindingWhere {
  readonly hostId?: number | undefined;
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
}

export interface FindingFilter extends FindingWhere {
  readonly limit: number;
  readonly offset: number;
  /** risk (highest first, the default) or host */
  readonly sort?: 'risk' | 'host' | undefined;
  readonly now: Date;
}

/** The tables every finding filter reads: a finding and its host. */
const FINDING_FROM = 'finding f JOIN host h ON h.id = f.host_id';

/**
 * The SQL conditions (on `finding f` joined to `host h`) of a filter. `p`
 * binds a parameter; `nowRef` gives the placeholder of the time the SLA and
 * exceptions are judged at, bound once and only when a condition uses it (an
 * unused parameter has no type PostgreSQL can infer).
 */
function findingConditions(f: FindingWhere, p: (v: unknown) => string, nowRef: () => string): string[] {
  const where: string[] = [];
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
  return where;
}

/** Binds `now` at most once, on first use. */
function nowBinder(p: (v: unknown) => string, now: Date): () => string {
  let ref: string | null = null;
  return () => (ref ??= `${p(now)}::timestamptz`);
}

/** How many findings each filter selects at `now`: the `total` listFindings gives for it, in one statement. */
export async function countFindings<K extends string>(
  q: Queryable,
  now: Date,
  filters: Record<K, FindingWhere>,
): Promise<Record<K, number>> {
  const { values, p } = sqlParams();
  const nowRef = nowBinder(p, now);
  const conditions = {} as Record<K, string[]>;
  for (const k of Object.keys(filters) as K[]) conditions[k] = findingConditions(filters[k], p, nowRef);
  return countMatching(q, FINDING_FROM, conditions, values);
}

export async function listFindings(
  q: Queryable,
  f: FindingFilter,
): Promise<{ items: FindingRecord[]; total: number }> {
  const { values: params, p } = sqlParams();
  const nowRef = nowBinder(p, f.now);
  const where = findingConditions(f, p, nowRef);
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${FINDING_FROM} ${w}`, params);
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
     FROM ${FINDING_FROM}
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
  /** The highest priority of its open findings (P1 highest), null when none is scored. */
  readonly priority: string | null;
  /** The earliest SLA due time of its open findings. */
  readonly dueAt: Date | null;
  /** The highest risk score of its open findings. */
  readonly riskScore: number | null;
}

export interface VulnerabilityFilter {
  readonly limit: number;
  readonly offset: number;
  /** Findings with (or without) a KEV entry. */
  readonly kev?: boolean | undefined;
  /** Findings of this severity (`unknown`: none). */
  readonly severity?: string | undefined;
  /** Substring (any case) of the advisory id or one of its aliases (CVE ids). */
  readonly q?: string | undefined;
  /** Advisories whose highest open priority is this one. */
  readonly priority?: string | undefined;
  /** breached: advisories with an open finding past its due time at `now`. */
  readonly sla?: 'breached' | undefined;
  /** risk (highest first, the default), hosts (most first), due (earliest first). */
  readonly sort?: 'risk' | 'hosts' | 'due' | undefined;
  readonly now: Date;
}

const VULNERABILITY_ORDER: Record<NonNullable<VulnerabilityFilter['sort']>, string> = {
  risk: 'max(f.risk_score) DESC NULLS LAST, count(DISTINCT f.host_id) DESC',
  hosts: 'count(DISTINCT f.host_id) DESC, max(f.risk_score) DESC NULLS LAST',
  due: 'min(f.due_at) ASC NULLS LAST, max(f.risk_score) DESC NULLS LAST',
};

/**
 * The fleet view: open findings grouped by advisory. `kev`, `severity` and
 * `q` choose findings; `priority` and `sla` choose advisories by their
 * figures over the findings chosen.
 */
export async function listVulnerabilities(
  q: Queryable,
  f: VulnerabilityFilter,
): Promise<{ items: VulnerabilityRow[]; total: number }> {
  const where = ['f.resolved_at IS NULL'];
  const having: string[] = [];
  const { values: params, p } = sqlParams();
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  if (f.q) {
    const like = p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(
      `(f.advisory_id ILIKE ${like} OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(f.data->'advisory'->'aliases') a(alias) WHERE a.alias ILIKE ${like}))`,
    );
  }
  if (f.priority) having.push(`min(f.priority) = ${p(f.priority)}`);
  if (f.sla === 'breached') having.push(`min(f.due_at) < ${p(f.now)}::timestamptz`);
  const w = `WHERE ${where.join(' AND ')}`;
  const hv = having.length > 0 ? `HAVING ${having.join(' AND ')}` : '';
  const total = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT f.advisory_id FROM finding f ${w} GROUP BY f.advisory_id ${hv}) v`,
    params,
  );
  const rows = await q.query<{
    advisory_id: string;
    sample: Record<string, unknown>;
    hosts: number;
    packages: string[];
    fixable: number;
    unfixed: number;
    priority: string | null;
    due_at: string | null;
    risk_score: number | null;
  }>(
    `SELECT f.advisory_id, (array_agg(f.data ORDER BY f.id))[1] AS sample,
       count(DISTINCT f.host_id)::int AS hosts, array_agg(DISTINCT f.package) AS packages,
       count(*) FILTER (WHERE f.status = 'fixable')::int AS fixable,
       count(*) FILTER (WHERE f.status = 'unfixed')::int AS unfixed,
       min(f.priority) AS priority, min(f.due_at) AS due_at, max(f.risk_score) AS risk_score
     FROM finding f ${w} GROUP BY f.advisory_id ${hv}
     ORDER BY ${VULNERABILITY_ORDER[f.sort ?? 'risk']}, f.advisory_id
     LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
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
      priority: r.priority,
      dueAt: r.due_at === null ? null : new Date(r.due_at),
      riskScore: r.risk_score === null ? null : Number(r.risk_score),
    })),
  };
}
