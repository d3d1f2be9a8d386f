/**
 * Risk exceptions. A finding is under an exception while an approved,
 * unexpired exception's scope covers it; the scope test lives in one SQL
 * fragment (EXCEPTION_MATCH) so listing, counting and compliance agree.
 */
import type { Queryable } from '../db.js';

export type ExceptionKind = 'accepted-risk' | 'false-positive' | 'compensating-control';
export type ExceptionStatus = 'requested' | 'approved' | 'rejected' | 'revoked' | 'expired';

export interface ExceptionRecord {
  readonly id: number;
  readonly kind: ExceptionKind;
  readonly advisoryId: string | null;
  readonly package: string | null;
  readonly hostId: number | null;
  readonly group: string | null;
  readonly justification: string;
  readonly status: ExceptionStatus;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionNote: string | null;
  readonly expiresAt: Date;
}

type Row = Record<string, unknown>;
const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function fromRow(r: Row): ExceptionRecord {
  return {
    id: Number(r.id),
    kind: r.kind as ExceptionKind,
    advisoryId: (r.advisory_id as string | null) ?? null,
    package: (r.package as string | null) ?? null,
    hostId: r.host_id === null || r.host_id === undefined ? null : Number(r.host_id),
    group: (r.group_name as string | null) ?? null,
    justification: r.justification as string,
    status: r.status as ExceptionStatus,
    requestedBy: r.requested_by as string,
    requestedAt: new Date(r.requested_at as string),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: d(r.decided_at),
    decisionNote: (r.decision_note as string | null) ?? null,
    expiresAt: new Date(r.expires_at as string),
  };
}

/**
 * SQL: true when exception `e` covers finding `f` of host `h` at time `$now`
 * (the caller binds the parameter's placeholder).
 */
export function exceptionMatch(now: string): string {
  return `e.status = 'approved' AND e.expires_at > ${now} AND ${EXCEPTION_SCOPE}`;
}

/** SQL: exception `e`'s scope covers finding `f` of host `h` (whatever its status). */
export const EXCEPTION_SCOPE = `((e.advisory_id IS NULL OR e.advisory_id = f.advisory_id OR f.data->'advisory'->'aliases' ? e.advisory_id)
    AND (e.package IS NULL OR e.package = f.package)
    AND (e.host_id IS NULL OR e.host_id = f.host_id)
    AND (e.group_name IS NULL OR e.group_name = ANY(h.groups)))`;

/**
 * SQL: a query of the ids (column `id`) of the findings `f` that satisfy
 * `findings` (a condition on `f`, such as `f.resolved_at IS NULL`) and that
 * an exception covers at `now` — exactly those for which `exceptionMatch(now)`
 * holds for some exception, found from the exceptions' side. Every exception
 * has at least one scope; the findings it can cover are looked up through an
 * index by the first scope it has (advisory id and, separately, CVE alias;
 * else host; else package; else group) and then checked against its whole
 * scope. So the cost grows with the exceptions and the findings they cover,
 * where testing each finding against every exception (a correlated
 * `EXISTS (… exceptionMatch …)`) grows with findings × exceptions and reads
 * every finding's JSON for the alias test.
 */
export function exceptedFindings(now: string, findings: string): string {
  const branch = (from: string, first: string) =>
    `SELECT f.id FROM risk_exception e ${from}
     WHERE ${first} AND ${findings} AND ${exceptionMatch(now)}`;
  const fh = (on: string) => `JOIN finding f ON ${on} JOIN host h ON h.id = f.host_id`;
  return [
    branch(fh('f.advisory_id = e.advisory_id'), 'e.advisory_id IS NOT NULL'),
    branch(fh(`f.data->'advisory'->'aliases' ? e.advisory_id`), 'e.advisory_id IS NOT NULL'),
    branch(fh('f.host_id = e.host_id'), 'e.advisory_id IS NULL AND e.host_id IS NOT NULL'),
    branch(
      fh('f.package = e.package'),
      'e.advisory_id IS NULL AND e.host_id IS NULL AND e.package IS NOT NULL',
    ),
    branch(
      'JOIN host h ON e.group_name = ANY(h.groups) JOIN finding f ON f.host_id = h.id',
      'e.advisory_id IS NULL AND e.host_id IS NULL AND e.package IS NULL',
    ),
  ].join('\n     UNION\n     ');
}

/**
 * SQL: finding `f` is not among the excepted ids bound at `ref`
 * (exceptedFindingIds). Written `IS NOT TRUE` rather than `NOT`, which the
 * planner turns into `<> ALL`, hashed only from PostgreSQL 15 on (the ids
 * are never null, so the two agree).
 */
export function notExcepted(ref: string): string {
  return `(f.id = ANY(${ref}::bigint[])) IS NOT TRUE`;
}

/**
 * The ids of the findings satisfying `findings` (SQL on `f`; `params` are
 * its parameters, numbered from $2) that an exception covers at `now`
 * (exceptedFindings). Queries test them with `f.id = ANY($n::bigint[])`: the
 * array is a constant of the statement, which PostgreSQL (14+) tests with a
 * hash table, so each finding costs one lookup whatever plan is chosen.
 * (Joined to the covered set instead, the planner, misjudging its size,
 * chose a nested loop over it: 2.2 s for 5,000 KEV findings.)
 */
export async function exceptedFindingIds(
  q: Queryable,
  now: Date,
  findings: string,
  params: readonly unknown[] = [],
): Promise<number[]> {
  const r = await q.query<{ id: number }>(exceptedFindings('$1::timestamptz', findings), [now, ...params]);
  return r.rows.map((row) => Number(row.id));
}

export interface NewException {
  readonly kind: ExceptionKind;
  readonly advisoryId: string | null;
  readonly package: string | null;
  readonly hostId: number | null;
  readonly group: string | null;
  readonly justification: string;
  readonly requestedBy: string;
  readonly expiresAt: Date;
  readonly now: Date;
}

export async function insertException(q: Queryable, e: NewException): Promise<ExceptionRecord> {
  const r = await q.query(
    `INSERT INTO risk_exception (kind, advisory_id, package, host_id, group_name, justification, status,
       requested_by, requested_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $9) RETURNING *`,
    [e.kind, e.advisoryId, e.package, e.hostId, e.group, e.justification, e.requestedBy, e.now, e.expiresAt],
  );
  return fromRow(r.rows[0] as Row);
}

export async function getException(
  q: Queryable,
  id: number,
  forUpdate = false,
): Promise<ExceptionRecord | null> {
  const r = await q.query(`SELECT * FROM risk_exception WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

export async function listExceptions(
  q: Queryable,
  f: { status?: string | undefined; hostId?: number | undefined; limit: number; offset: number },
): Promise<{ items: ExceptionRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.status) {
    params.push(f.status);
    where.push(`status = $${params.length}`);
  }
  if (f.hostId !== undefined) {
    params.push(f.hostId);
    where.push(`host_id = $${params.length}`);
  }
  const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM risk_exception ${w}`, params);
  params.push(f.limit, f.offset);
  const r = await q.query(
    `SELECT * FROM risk_exception ${w} ORDER BY id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { items: r.rows.map(fromRow), total: total.rows[0]?.n ?? 0 };
}

/** Moves an exception to a new status (the caller checked the transition is allowed). */
export async function decideException(
  q: Queryable,
  id: number,
  d: { status: ExceptionStatus; by: string; note: string | null; now: Date },
): Promise<ExceptionRecord | null> {
  const r = await q.query(
    `UPDATE risk_exception SET status = $2, decided_by = $3, decision_note = $4, decided_at = $5
     WHERE id = $1 RETURNING *`,
    [id, d.status, d.by, d.note, d.now],
  );
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

/** Marks approved exceptions past their expiry as expired; returns them (for the audit log). */
export async function expireExceptions(q: Queryable, now: Date): Promise<ExceptionRecord[]> {
  const r = await q.query(
    `UPDATE risk_exception SET status = 'expired' WHERE status = 'approved' AND expires_at <= $1 RETURNING *`,
    [now],
  );
  return r.rows.map(fromRow);
}

/** How many open findings each exception's scope covers (approved or not). */
export async function exceptionCoverage(q: Queryable, ids: readonly number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const r = await q.query<{ id: number; n: number }>(
    `SELECT e.id, (SELECT count(*)::int FROM finding f JOIN host h ON h.id = f.host_id
                   WHERE f.resolved_at IS NULL AND ${EXCEPTION_SCOPE}) AS n
     FROM risk_exception e WHERE e.id = ANY($1::bigint[])`,
    [[...ids]],
  );
  return new Map(r.rows.map((row) => [Number(row.id), row.n]));
}
