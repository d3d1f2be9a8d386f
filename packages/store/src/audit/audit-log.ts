/**
 * The audit log: every state change (enrollment, host edit, token, feed
 * import, later policies and deployments) appends one event — actor, action,
 * target, before/after, time — to a hash-chained log (hash.ts has the exact
 * encoding; verify.ts checks it).
 *
 * One linear chain, whatever the number of connections or server replicas
 * sharing the database: an append locks the single `audit_head` row
 * (`SELECT … FOR UPDATE`, held to the end of the transaction), and the same
 * statement that inserts the event moves the head only if it is still where
 * the append read it. So an append inside the caller's transaction commits or
 * rolls back with the state change it records, and even a misuse outside any
 * transaction can fail (PL_AUDIT_CONFLICT) but never fork the chain.
 */
import { PatchloopError } from '@patchloop/core';
import type { Db, Queryable } from '../db.js';
import { canonicalJson, eventHash, toJsonData } from './hash.js';
import { redactSecrets, redactText } from './redact.js';

export interface AuditEventInput {
  /** Who: a user (`user:alice`), an agent (`agent:<host id>`), `system`, `cli`. */
  readonly actor: string;
  /** What, as `noun.verb`: `host.enroll`, `host.edit`, `token.create`, `feed.import`, … */
  readonly action: string;
  /** On what: `host:<id>`, `token:<id>`, `feed:<source>`, … */
  readonly target: string;
  /** The state before and after the change (JSON data; secrets are redacted). */
  readonly before?: unknown;
  readonly after?: unknown;
  /** When; default now. Stored and hashed to the millisecond. */
  readonly at?: Date;
}

export interface AuditEvent {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditQuery {
  readonly limit: number;
  readonly offset: number;
  /** Exact matches. */
  readonly target?: string;
  readonly action?: string;
  readonly actor?: string;
}

export const MAX_AUDIT_PAGE = 1000;

export const AUDIT_COLUMNS = 'seq, at, actor, action, target, before, after, prev_hash, hash';

export interface AuditRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

export function fromRow(r: AuditRow): AuditEvent {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const isDb = (q: Queryable): q is Db => typeof (q as Partial<Db>).transaction === 'function';

function text(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new PatchloopError('PL_AUDIT_EVENT_INVALID', `an audit event's ${name} must be a non-empty string`);
  }
  return redactText(v);
}

/** Validated, redacted, JSON-normalized: what is hashed and stored. */
function prepare(e: AuditEventInput) {
  const at = e.at ?? new Date();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new PatchloopError('PL_AUDIT_EVENT_INVALID', "an audit event's time is not a valid date");
  }
  const before = redactSecrets(toJsonData(e.before));
  const after = redactSecrets(toJsonData(e.after));
  return {
    // Millisecond precision, as hashed (a Date has no more).
    at: new Date(at.getTime()),
    actor: text('actor', e.actor),
    action: text('action', e.action),
    target: text('target', e.target),
    before,
    after,
    beforeJson: before === null ? null : canonicalJson(before),
    afterJson: after === null ? null : canonicalJson(after),
  };
}

type Prepared = ReturnType<typeof prepare>;

async function appendLocked(q: Queryable, p: Prepared): Promise<{ seq: number; hash: string }> {
  const head = (
    await q.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE')
  ).rows[0];
  if (!head) throw new PatchloopError('PL_AUDIT_HEAD_MISMATCH', 'the audit log has no head row');
  const seq = head.seq + 1;
  const hash = eventHash({ ...p, seq, prevHash: head.hash });
  const inserted = await q.query(
    `WITH moved AS (
       UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING seq
     )
     INSERT INTO audit_event (seq, at, actor, action, target, before, after, prev_hash, hash)
     SELECT $1, $5::timestamptz, $6, $7, $8, $9::jsonb, $10::jsonb, $4, $2 FROM moved`,
    [
      seq,
      hash,
      head.seq,
      head.hash,
      p.at.toISOString(),
      p.actor,
      p.action,
      p.target,
      p.beforeJson,
      p.afterJson,
    ],
  );
  if (inserted.affectedRows !== 1) {
    throw new PatchloopError(
      'PL_AUDIT_CONFLICT',
      'another audit event was appended at the same time: append inside a transaction (or pass the Db)',
    );
  }
  return { seq, hash };
}

/**
 * Appends one event; returns its seq and hash. Pass the caller's transaction
 * (`db.transaction(tx => … appendAudit(tx, …))`) so that the change and its
 * event commit together; given the Db itself, the append runs in a
 * transaction of its own. The head row stays locked until the transaction
 * ends, so append late in a long transaction. Under REPEATABLE READ or
 * SERIALIZABLE a concurrent append makes PostgreSQL raise a serialization
 * failure: retry the transaction.
 */
export async function appendAudit(q: Queryable, e: AuditEventInput): Promise<{ seq: number; hash: string }> {
  const p = prepare(e);
  return isDb(q) ? q.transaction((tx) => appendLocked(tx, p)) : appendLocked(q, p);
}

/** Events newest first, with the number matching the filters. */
export async function listAudit(
  q: Queryable,
  query: AuditQuery,
): Promise<{ items: AuditEvent[]; total: number }> {
  const { limit, offset } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new PatchloopError(
      'PL_AUDIT_QUERY_INVALID',
      `limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new PatchloopError('PL_AUDIT_QUERY_INVALID', 'offset must be an integer ≥ 0');
  }
  const where: string[] = [];
  const params: unknown[] = [];
  for (const column of ['target', 'action', 'actor'] as const) {
    const v = query[column];
    if (v === undefined) continue;
    params.push(v);
    where.push(`${column} = $${params.length}`);
  }
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM audit_event ${filter}`, params);
  const rows = await q.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_event ${filter}
     ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, limit, offset],
  );
  return { items: rows.rows.map(fromRow), total: total.rows[0]?.n ?? 0 };
}
