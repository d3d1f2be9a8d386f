/**
 * Reading findings: lists with filters (risk, SLA, exceptions) and their
 * counts. The fleet view per advisory is vulnerability-queries.ts.
 */
import type { Queryable } from '../db.js';
import { exceptedFindingIds, exceptionMatch, notExcepted } from './exceptions.js';
import { countMatching, sqlParams } from './filter-counts.js';
import { ACTIVE_HOST } from './hosts.js';

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
  /** Also the findings of retired hosts (left out of current figures otherwise). */
  readonly includeRetired?: boolean | undefined;
}

/** Where a keyset page starts: the sort keys of the last row of the page before (FindingPage.next). */
export interface FindingCursor {
  readonly riskScore: number | null;
  readonly hostname: string;
  readonly hostId: number;
  readonly package: string;
  readonly advisoryId: string;
  readonly id: number;
}

export interface FindingFilter extends FindingWhere {
  readonly limit: number;
  readonly offset: number;
  /**
   * The rows after this one in the list's order (keyset: `offset` should be 0); what an export of
   * every row reads page after page, each page as cheap as the first.
   */
  readonly after?: FindingCursor | undefined;
  /** false: no `total` (0), saving a count of every matching row. Default true. */
  readonly count?: boolean | undefined;
  /** risk (highest first, the default) or host */
  readonly sort?: 'risk' | 'host' | undefined;
  readonly now: Date;
}

/** The tables every finding filter reads: a finding and its host. */
const FINDING_FROM = 'finding f JOIN host h ON h.id = f.host_id';

const resolvedCondition = (f: FindingWhere) =>
  f.status === 'resolved' ? 'f.resolved_at IS NOT NULL' : 'f.resolved_at IS NULL';

/**
 * Readers of the figures that take the excepted finding ids already looked
 * up at the same `now` (exceptedFindingIds over a set of findings that
 * includes those they read, all of them with `true`), so that several
 * figures share one lookup; without it each looks them up itself.
 */
export interface SharedExcepted {
  readonly excepted?: readonly number[] | undefined;
}

/**
 * When a filter asks about exceptions: the ids of the findings an exception
 * covers at `now` among those the filters can select (open, resolved, or
 * both), looked up once; else null (no lookup).
 */
async function exceptedIds(
  q: Queryable,
  filters: readonly FindingWhere[],
  now: Date,
): Promise<readonly number[] | null> {
  const asking = filters.filter((f) => f.excepted !== undefined);
  if (asking.length === 0) return null;
  const which = [...new Set(asking.map(resolvedCondition))];
  return exceptedFindingIds(q, now, which.length === 1 ? (which[0] as string) : 'true');
}

/**
 * The SQL conditions (on `finding f` joined to `host h`) of a filter. `p`
 * binds a parameter; `nowRef` gives the placeholder of the time the SLA is
 * judged at and `exceptedRef` that of the excepted finding ids (exceptedIds),
 * each bound once and only when a condition uses it (an unused parameter has
 * no type PostgreSQL can infer).
 */
function findingConditions(
  f: FindingWhere,
  p: (v: unknown) => string,
  nowRef: () => string,
  exceptedRef: () => string,
  factsScoped = false,
): string[] {
  const where: string[] = [];
  if (f.includeRetired !== true) where.push(ACTIVE_HOST);
  if (f.hostId !== undefined) where.push(`f.host_id = ${p(f.hostId)}`);
  const status = f.status ?? 'open';
  where.push(resolvedCondition(f));
  if (status === 'fixable' || status === 'unfixed') where.push(`f.status = ${p(status)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (!factsScoped) where.push(...factConditions(f, p, 'f'));
  if (f.priority) where.push(`f.priority = ${p(f.priority)}`);
  if (f.sla === 'breached') where.push(`f.due_at < ${nowRef()}`);
  if (f.sla === 'due-soon') {
    where.push(
      `f.due_at >= ${nowRef()} AND f.due_at <= ${nowRef()} + make_interval(days => ${p(f.dueSoonDays ?? 3)})`,
    );
  }
  if (f.sla === 'ok') where.push(`(f.due_at IS NULL OR f.due_at >= ${nowRef()})`);
  if (f.excepted !== undefined) {
    where.push(f.excepted ? `f.id = ANY(${exceptedRef()}::bigint[])` : notExcepted(exceptedRef()));
  }
  return where;
}

/** The conditions of a filter on a finding's advisory (or one of its aliases) and package, on `t`'s columns. */
function factConditions(f: FindingWhere, p: (v: unknown) => string, t: string): string[] {
  const where: string[] = [];
  if (f.advisory) {
    const a = p(f.advisory);
    where.push(`(${t}.advisory_id = ${a} OR ${t}.data->'advisory'->'aliases' ? ${a})`);
  }
  if (f.package) where.push(`${t}.package = ${p(f.package)}`);
  return where;
}

/**
 * A list filtered by advisory or package reads the few facts that match and then their links
 * (materialized: at 50,000 hosts the planner otherwise walked every open link in risk order testing
 * each one's fact, 4 s for 25,000 matches; and joining the facts by hash, a scan of every link, 0.6 s:
 * the facts' ids as an array make it an index scan); null for other filters. Gives `WITH m` of the
 * matching links with the finding view's columns but `data` (the fact conditions are applied in it).
 */
function factScope(f: FindingWhere, p: (v: unknown) => string): string | null {
  const conditions = factConditions(f, p, 'ff');
  if (conditions.length === 0) return null;
  return `WITH m AS MATERIALIZED (
    SELECT l.id, l.host_id, l.first_seen, l.resolved_at, l.due_at, l.risk_score, l.priority, ff.advisory_id,
      ff.package, ff.arch, ff.installed_version, ff.fixed_version, ff.status, ff.severity, ff.kev
    FROM host_finding l JOIN finding_fact ff ON ff.id = l.fact_id
    WHERE l.fact_id = ANY(ARRAY(SELECT ff.id FROM finding_fact ff WHERE ${conditions.join(' AND ')}))
      AND ${resolvedCondition(f).replace('f.', 'l.')})`;
}

/**
 * The open counts key (findings.ts openCounts) giving the number of open findings a filter selects on
 * live hosts, when it filters on nothing but KEV (true), priority and exceptions; else null.
 */
function summedKey(f: FindingWhere): string | null {
  const other =
    f.hostId !== undefined ||
    f.severity !== undefined ||
    f.advisory ||
    f.package ||
    f.sla !== undefined ||
    f.includeRetired === true ||
    f.kev === false ||
    (f.status !== undefined && f.status !== 'open') ||
    f.excepted === true;
  if (other) return null;
  if (f.kev === true) return f.priority ? `pk:${f.priority}` : 'kev';
  return f.priority ? `p:${f.priority}` : 'total';
}

/**
 * A list's total from the live hosts' open counts (summedKey), less the excepted findings it selects
 * when it leaves those out: a sum over the hosts, not a count of every matching link (8.7 M at 50,000
 * hosts, ~0.5 s). Null when the filter is not one the counts answer.
 */
async function summedTotal(
  q: Queryable,
  f: FindingWhere & { now: Date },
  excepted: readonly number[] | null,
): Promise<number | null> {
  const key = summedKey(f);
  if (key === null) return null;
  const sum = await q.query<{ n: number }>(
    `SELECT coalesce(sum((h.open_counts->>$1)::int), 0)::int AS n FROM host h WHERE ${ACTIVE_HOST}`,
    [key],
  );
  let n = sum.rows[0]?.n ?? 0;
  if (f.excepted === false && excepted !== null && excepted.length > 0) {
    const { values, p } = sqlParams();
    const where = findingConditions(
      { ...f, excepted: true },
      p,
      binder(p, f.now, '::timestamptz'),
      binder(p, excepted),
    );
    const x = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${FINDING_FROM} WHERE ${where.join(' AND ')}`,
      values,
    );
    n -= x.rows[0]?.n ?? 0;
  }
  return n;
}

/** Binds `value` at most once, on first use; gives its placeholder with `cast`. */
function binder(p: (v: unknown) => string, value: unknown, cast = ''): () => string {
  let ref: string | null = null;
  return () => (ref ??= `${p(value)}${cast}`);
}

/** How many findings each filter selects at `now`: the `total` listFindings gives for it, in one statement. */
export async function countFindings<K extends string>(
  q: Queryable,
  now: Date,
  filters: Record<K, FindingWhere>,
  opts: SharedExcepted = {},
): Promise<Record<K, number>> {
  const { values, p } = sqlParams();
  const nowRef = binder(p, now, '::timestamptz');
  const exceptedRef = binder(
    p,
    opts.excepted ?? (await exceptedIds(q, Object.values<FindingWhere>(filters), now)),
  );
  const conditions = {} as Record<K, string[]>;
  for (const k of Object.keys(filters) as K[]) {
    conditions[k] = findingConditions(filters[k], p, nowRef, exceptedRef);
  }
  return countMatching(q, FINDING_FROM, conditions, values);
}

/**
 * SQL: the rows after cursor `c` in the list's order. By host, every key ascends: one row comparison.
 * By risk, the score descends (nulls last: scores are never negative, so a null compares as -1) and the
 * rest ascends.
 */
function afterCursor(sort: FindingFilter['sort'], c: FindingCursor, p: (v: unknown) => string): string {
  if (sort === 'host') {
    return `(h.hostname, f.host_id, f.package, f.advisory_id, f.id) > (${p(c.hostname)}::text, ${p(c.hostId)}::bigint, ${p(c.package)}::text, ${p(c.advisoryId)}::text, ${p(c.id)}::bigint)`;
  }
  const risk = 'coalesce(f.risk_score, -1)';
  const r = `${p(c.riskScore ?? -1)}::real`;
  return `(${risk} < ${r} OR (${risk} = ${r} AND (h.hostname, f.package, f.advisory_id, f.id) > (${p(c.hostname)}::text, ${p(c.package)}::text, ${p(c.advisoryId)}::text, ${p(c.id)}::bigint)))`;
}

export async function listFindings(
  q: Queryable,
  f: FindingFilter,
): Promise<{ items: FindingRecord[]; total: number; next: FindingCursor | null }> {
  const { values: params, p } = sqlParams();
  const nowRef = binder(p, f.now, '::timestamptz');
  const excepted = await exceptedIds(q, [f], f.now);
  const exceptedRef = binder(p, excepted);
  const scope = factScope(f, p);
  const from = scope === null ? FINDING_FROM : 'm f JOIN host h ON h.id = f.host_id';
  const where = findingConditions(f, p, nowRef, exceptedRef, scope !== null);
  const w = `WHERE ${where.join(' AND ')}`;
  // The values `w` binds (the page's own come after: a count takes only these).
  const countParams = [...params];
  // Filtered by facts, the matching links are few and read whole anyway: the page counts them too.
  const countInPage = scope !== null && f.count !== false && !f.after;
  const total =
    f.count === false || countInPage
      ? null
      : ((await summedTotal(q, f, excepted)) ??
        (
          await q.query<{ n: number }>(
            `${scope ?? ''} SELECT count(*)::int AS n FROM ${from} ${w}`,
            countParams,
          )
        ).rows[0]?.n ??
        0);
  const order =
    f.sort === 'host'
      ? 'h.hostname, f.host_id, f.package, f.advisory_id, f.id'
      : 'f.risk_score DESC NULLS LAST, h.hostname, f.package, f.advisory_id, f.id';
  const pageWhere = f.after ? `${w} AND ${afterCursor(f.sort, f.after, p)}` : w;
  const lateral = exceptionMatch(nowRef());
  // The page is chosen on narrow rows (ids and sort keys), then only its rows are read whole: sorting every
  // matching row with its JSON spilled hundreds of MiB to disk at 150,000 findings. (The total counted in
  // the same pass, a window over every matching row, kept the planner from stopping early when it can:
  // 4× slower for the unfiltered list by host.)
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
    key_package: string;
    key_advisory: string;
    n?: number;
  }>(
    `SELECT f.id, f.host_id, h.hostname, f.data, f.first_seen, f.resolved_at, f.risk_score, f.priority, f.risk,
       f.due_at, f.sla_basis, x.id AS exception_id, x.kind AS exception_kind, x.expires_at AS exception_expires_at,
       f.package AS key_package, f.advisory_id AS key_advisory${countInPage ? ', page.n' : ''}
     FROM (${scope ?? ''} SELECT f.id${countInPage ? ', count(*) OVER () AS n' : ''} FROM ${from} ${pageWhere}
           ORDER BY ${order} LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}) page
     JOIN finding f ON f.id = page.id JOIN host h ON h.id = f.host_id
     LEFT JOIN LATERAL (SELECT e.id, e.kind, e.expires_at FROM risk_exception e WHERE ${lateral}
                        ORDER BY e.expires_at DESC, e.id LIMIT 1) x ON true
     ORDER BY ${order}`,
    params,
  );
  const date = (v: string | null) => (v === null ? null : new Date(v));
  const last = rows.rows[rows.rows.length - 1];
  // Counted in the page; a page past the end has no row to carry it.
  const counted = !countInPage
    ? total
    : rows.rows.length > 0
      ? Number(rows.rows[0]?.n)
      : f.offset === 0
        ? 0
        : ((
            await q.query<{ n: number }>(
              `${scope ?? ''} SELECT count(*)::int AS n FROM ${from} ${w}`,
              countParams,
            )
          ).rows[0]?.n ?? 0);
  return {
    total: counted ?? 0,
    next:
      last === undefined || rows.rows.length < f.limit
        ? null
        : {
            riskScore: last.risk_score === null ? null : Number(last.risk_score),
            hostname: last.hostname,
            hostId: Number(last.host_id),
            package: last.key_package,
            advisoryId: last.key_advisory,
            id: Number(last.id),
          },
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
