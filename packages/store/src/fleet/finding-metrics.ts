/**
 * Figures over findings: the SLA compliance summary, and how the open,
 * KEV and breached counts moved day by day.
 */
import type { Queryable } from '../db.js';
import { exceptionMatch } from './exceptions.js';

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
 */
export async function findingTrend(q: Queryable, now: Date, days: number): Promise<TrendPoint[]> {
  const n = Math.max(1, Math.floor(days));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (n - 1) * DAY_MS);
  // The UTC day of a time; a time's microsecond after, for "due before the end of the day".
  const day = (t: string) => `(${t} AT TIME ZONE 'UTC')::date`;
  const r = await q.query<TrendPoint>(
    `WITH f AS (
       SELECT f.first_seen, f.resolved_at, f.due_at, f.kev
       FROM finding f JOIN host h ON h.id = f.host_id
       WHERE f.first_seen <= $1::timestamptz
         -- Resolved before the first day: its events cancel out there.
         AND (f.resolved_at IS NULL OR f.resolved_at >= $3::timestamptz)
         AND NOT EXISTS (SELECT 1 FROM risk_exception e WHERE ${exceptionMatch('$1::timestamptz')})),
     ev AS (
       SELECT ${day('f.first_seen')} AS day, 1 AS open, f.kev::int AS kev, 0 AS breached FROM f
       UNION ALL
       SELECT ${day('f.resolved_at')}, -1, -(f.kev::int), 0 FROM f WHERE f.resolved_at <= $1::timestamptz
       UNION ALL
       SELECT greatest(${day('f.first_seen')}, ${day("(f.due_at + interval '1 microsecond')")}), 0, 0, 1 FROM f
       WHERE f.due_at < $1::timestamptz AND (f.resolved_at IS NULL OR f.resolved_at > f.due_at)
       UNION ALL
       SELECT ${day('f.resolved_at')}, 0, 0, -1 FROM f
       WHERE f.due_at < $1::timestamptz AND f.resolved_at <= $1::timestamptz AND f.resolved_at > f.due_at),
     daily AS (
       SELECT greatest(ev.day, $2::date) AS day, sum(ev.open) AS open, sum(ev.kev) AS kev,
         sum(ev.breached) AS breached
       FROM ev GROUP BY 1),
     days AS (SELECT $2::date + s.i AS day FROM generate_series(0, $4::int) AS s(i))
     SELECT to_char(days.day, 'YYYY-MM-DD') AS date,
       (sum(coalesce(daily.open, 0)) OVER w)::int AS open,
       (sum(coalesce(daily.kev, 0)) OVER w)::int AS kev,
       (sum(coalesce(daily.breached, 0)) OVER w)::int AS breached
     FROM days LEFT JOIN daily ON daily.day = days.day
     WINDOW w AS (ORDER BY days.day)
     ORDER BY days.day`,
    [now, start.toISOString().slice(0, 10), start, n - 1],
  );
  return r.rows.map((row) => ({
    date: row.date,
    open: Number(row.open),
    kev: Number(row.kev),
    breached: Number(row.breached),
  }));
}
