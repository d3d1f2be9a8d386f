/**
 * Figures over findings: the SLA compliance summary, and how the open,
 * KEV and breached counts moved day by day.
 */
import type { Queryable } from '../db.js';
import { exceptedFindingIds, notExcepted } from './exceptions.js';
import type { SharedExcepted } from './finding-queries.js';
import { activeHostOf } from './hosts.js';

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
  opts: SharedExcepted = {},
): Promise<ComplianceSummary> {
  const excepted = opts.excepted ?? (await exceptedFindingIds(q, now, 'f.resolved_at IS NULL'));
  // One pass over the open findings (kept narrow) for the figures by priority and the hosts with breaches.
  const all = await q.query<{
    priority: string | null;
    open: number | null;
    excepted: number;
    breached: number;
    due_soon: number;
    kev: number;
    hosts_with_breaches: number;
  }>(
    `WITH f AS MATERIALIZED (
       SELECT f.priority, f.due_at, f.kev, f.host_id, f.id = ANY($3::bigint[]) AS excepted
       FROM finding f WHERE f.resolved_at IS NULL AND ${activeHostOf('f.host_id')}),
     p AS (
       SELECT priority, count(*)::int AS open, count(*) FILTER (WHERE excepted)::int AS excepted,
         count(*) FILTER (WHERE NOT excepted AND due_at < $1)::int AS breached,
         count(*) FILTER (WHERE NOT excepted AND due_at >= $1 AND due_at <= $1::timestamptz + make_interval(days => $2))::int AS due_soon,
         count(*) FILTER (WHERE NOT excepted AND kev)::int AS kev
       FROM f GROUP BY priority),
     h AS (SELECT count(DISTINCT host_id)::int AS n FROM f WHERE NOT excepted AND due_at < $1)
     SELECT p.*, h.n AS hosts_with_breaches FROM h LEFT JOIN p ON true ORDER BY p.priority`,
    [now, dueSoonDays, excepted],
  );
  // No open findings: the one row has only the hosts figure.
  const rows = all.rows.filter((row) => row.open !== null);
  const sum = (k: 'open' | 'excepted' | 'breached' | 'due_soon' | 'kev') =>
    rows.reduce((s, row) => s + (row[k] ?? 0), 0);
  const byPriority: Record<string, { open: number; breached: number }> = {};
  for (const row of rows) {
    byPriority[row.priority ?? 'none'] = { open: (row.open ?? 0) - row.excepted, breached: row.breached };
  }
  return {
    open: sum('open'),
    excepted: sum('excepted'),
    inScope: sum('open') - sum('excepted'),
    breached: sum('breached'),
    dueSoon: sum('due_soon'),
    kev: sum('kev'),
    byPriority,
    hostsWithBreaches: all.rows[0]?.hosts_with_breaches ?? 0,
  };
}

export interface TrendPoint {
  /** A UTC day, YYYY-MM-DD. */
  readonly date: string;
  readonly open: number;
  readonly kev: number;
  readonly breached: number;
}

const DAY_MS = 86_400_000;

/**
 * Open, KEV and breached findings at the end of each of the last `days` UTC
 * days (today's point is at `now`, so it equals the current figures): a
 * finding is open at instant E when first seen at or before E and not
 * resolved by E, breached when also due before E. As in the compliance
 * summary, findings under an active exception are left out; the exceptions,
 * KEV flags and due times used are the current ones, also for past days (no
 * history of them is kept). Each finding adds +1/−1 events on the days it
 * opens, breaches and is resolved; the daily figures are running sums of
 * them, so the cost grows with the findings, not with findings × days.
 * A retired host's findings count until its retirement (its history stays)
 * and not after: they end then as if resolved.
 */
export async function findingTrend(
  q: Queryable,
  now: Date,
  days: number,
  opts: SharedExcepted = {},
): Promise<TrendPoint[]> {
  const n = Math.max(1, Math.floor(days));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (n - 1) * DAY_MS);
  // The UTC day of a time; a time's microsecond after, for "due before the end of the day".
  const day = (t: string) => `(${t} AT TIME ZONE 'UTC')::date`;
  // Resolved before the first day: its events cancel out there.
  const inWindow = (now: string, start: string) =>
    `f.first_seen <= ${now}::timestamptz AND (f.resolved_at IS NULL OR f.resolved_at >= ${start}::timestamptz)`;
  const excepted = opts.excepted ?? (await exceptedFindingIds(q, now, inWindow('$1', '$2'), [start]));
  const r = await q.query<TrendPoint>(
    // Each finding's event days, counted per distinct combination in one pass over the findings (a few
    // thousand combinations); then their events (none: a null day), summed per day.
    `WITH f AS (
       SELECT ${day('f.first_seen')} AS opened,
         CASE WHEN f.resolved_at <= $1::timestamptz THEN ${day('f.resolved_at')} END AS closed,
         CASE WHEN f.due_at < $1::timestamptz AND (f.resolved_at IS NULL OR f.resolved_at > f.due_at)
           THEN greatest(${day('f.first_seen')}, ${day("(f.due_at + interval '1 microsecond')")}) END AS breached,
         CASE WHEN f.due_at < $1::timestamptz AND f.resolved_at <= $1::timestamptz AND f.resolved_at > f.due_at
           THEN ${day('f.resolved_at')} END AS unbreached,
         f.kev::int AS kev, count(*)::int AS n
       FROM (SELECT f.id, f.first_seen, f.due_at, f.kev, least(f.resolved_at, r.retired_at) AS resolved_at
             FROM finding f LEFT JOIN host r ON r.id = f.host_id AND r.retired_at IS NOT NULL) f
       WHERE ${inWindow('$1', '$3')} AND ${notExcepted('$5')}
       GROUP BY 1, 2, 3, 4, 5),
     daily AS (
       SELECT greatest(ev.day, $2::date) AS day, sum(ev.open) AS open, sum(ev.kev) AS kev,
         sum(ev.breached) AS breached
       FROM f CROSS JOIN LATERAL (VALUES (f.opened, f.n, f.kev * f.n, 0), (f.closed, -f.n, -(f.kev * f.n), 0),
         (f.breached, 0, 0, f.n), (f.unbreached, 0, 0, -f.n)) AS ev(day, open, kev, breached)
       WHERE ev.day IS NOT NULL
       GROUP BY 1),
     days AS (SELECT $2::date + s.i AS day FROM generate_series(0, $4::int) AS s(i))
     SELECT to_char(days.day, 'YYYY-MM-DD') AS date,
       (sum(coalesce(daily.open, 0)) OVER w)::int AS open,
       (sum(coalesce(daily.kev, 0)) OVER w)::int AS kev,
       (sum(coalesce(daily.breached, 0)) OVER w)::int AS breached
     FROM days LEFT JOIN daily ON daily.day = days.day
     WINDOW w AS (ORDER BY days.day)
     ORDER BY days.day`,
    [now, start.toISOString().slice(0, 10), start, n - 1, excepted],
  );
  return r.rows.map((row) => ({
    date: row.date,
    open: Number(row.open),
    kev: Number(row.kev),
    breached: Number(row.breached),
  }));
}
