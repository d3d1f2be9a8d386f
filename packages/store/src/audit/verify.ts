/**
 * `verifyAudit`: walks the whole audit log in seq order, a page at a time,
 * recomputing every hash, and reports each break:
 *
 * - PL_AUDIT_HASH_MISMATCH: an event's content no longer gives its hash (edited,
 *   or content moved from another position: seq is hashed too);
 * - PL_AUDIT_SEQ_GAP: seq numbers missing (events deleted);
 * - PL_AUDIT_CHAIN_BROKEN: an event's prev_hash is not the previous event's
 *   hash (an event deleted, inserted or reordered before it);
 * - PL_AUDIT_TRUNCATED: the log ends before the head row's seq (events deleted
 *   from the end);
 * - PL_AUDIT_HEAD_MISMATCH: the head row is missing or edited, or events exist
 *   past it (appended behind appendAudit's back);
 * - PL_AUDIT_ANCHOR_MISSING: `expectHead` (a head hash recorded earlier,
 *   outside the database) is no event's hash.
 *
 * Limit: someone who can write the database (a superuser) and rewrites the
 * whole chain from some point on, recomputing every later hash and the head,
 * leaves a chain that verifies. Only an anchor kept outside the database
 * catches that: record the head hash verify prints (a ticket, a log shipper,
 * a WORM store) and pass it back as `expectHead` later.
 */
import { PatchloopError } from '@patchloop/core';
import type { Db, Queryable } from '../db.js';
import { AUDIT_COLUMNS, type AuditRow } from './audit-log.js';
import { GENESIS_HASH, canonicalJson, eventHash } from './hash.js';

export type AuditProblemCode =
  | 'PL_AUDIT_HASH_MISMATCH'
  | 'PL_AUDIT_SEQ_GAP'
  | 'PL_AUDIT_CHAIN_BROKEN'
  | 'PL_AUDIT_TRUNCATED'
  | 'PL_AUDIT_HEAD_MISMATCH'
  | 'PL_AUDIT_ANCHOR_MISSING';

export interface AuditProblem {
  /** The event the problem shows at (for the head and anchor: the head's seq). */
  readonly seq: number;
  readonly code: AuditProblemCode;
  readonly message: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Events read. */
  readonly events: number;
  /** The first `maxProblems` problems, in seq order. */
  readonly problems: AuditProblem[];
  /** Problems found beyond `maxProblems`. */
  readonly problemsOmitted: number;
  /** The head row (null when missing): record its hash outside the database. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
}

export interface VerifyOptions {
  /** A head hash recorded earlier: the chain must still contain an event with it. */
  readonly expectHead?: string;
  /** Events read per query (default 1000). */
  readonly pageSize?: number;
  /** Problems kept in the result (default 1000); the rest are only counted. */
  readonly maxProblems?: number;
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * JavaScript reads a jsonb number as a double, so an edit to digits beyond a
 * double's precision would still hash the same: the events whose hash
 * matched are also compared, in SQL, with the canonical JSON that was hashed.
 */
async function lossyEdits(q: Queryable, rows: AuditRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const json = (v: unknown) => (v === null ? null : canonicalJson(v));
  const r = await q.query<{ seq: number }>(
    `SELECT e.seq FROM audit_event e
       JOIN unnest($1::int8[], $2::text[], $3::text[]) AS c(seq, b, a) ON e.seq = c.seq
      WHERE e.before IS DISTINCT FROM c.b::jsonb OR e.after IS DISTINCT FROM c.a::jsonb
      ORDER BY e.seq`,
    [rows.map((x) => x.seq), rows.map((x) => json(x.before)), rows.map((x) => json(x.after))],
  );
  return r.rows.map((x) => x.seq);
}

async function verifyIn(q: Queryable, options: VerifyOptions): Promise<AuditVerification> {
  const { expectHead, pageSize = 1000, maxProblems = 1000 } = options;
  if (expectHead !== undefined && !HASH.test(expectHead)) {
    throw new PatchloopError(
      'PL_AUDIT_QUERY_INVALID',
      'the expected head must be a SHA-256 hash (64 lower-case hex digits)',
    );
  }
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new PatchloopError('PL_AUDIT_QUERY_INVALID', 'pageSize must be a positive integer');
  }
  const problems: AuditProblem[] = [];
  let omitted = 0;
  const report = (seq: number, code: AuditProblemCode, message: string) => {
    if (problems.length < maxProblems) problems.push({ seq, code, message });
    else omitted++;
  };

  const head = (await q.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1'))
    .rows[0];
  let events = 0;
  let lastSeq = 0;
  let prevHash = GENESIS_HASH;
  let anchorSeen = false;
  for (;;) {
    const intact: AuditRow[] = [];
    const page = await q.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [events === 0 ? Number.MIN_SAFE_INTEGER : lastSeq, pageSize],
    );
    for (const r of page.rows) {
      events++;
      if (r.seq !== lastSeq + 1) {
        report(
          r.seq,
          'PL_AUDIT_SEQ_GAP',
          r.seq > lastSeq + 1
            ? `events ${lastSeq + 1}${r.seq - 1 > lastSeq + 1 ? `–${r.seq - 1}` : ''} are missing (deleted)`
            : `seq ${r.seq} is out of sequence (expected ${lastSeq + 1})`,
        );
      }
      if (r.prev_hash !== prevHash) {
        report(
          r.seq,
          'PL_AUDIT_CHAIN_BROKEN',
          `prev_hash is not the hash of the event before it${lastSeq > 0 ? ` (seq ${lastSeq})` : ' (the genesis hash)'}: an event was deleted, inserted or reordered`,
        );
      }
      const computed = eventHash({ ...r, prevHash: r.prev_hash });
      if (computed !== r.hash) {
        report(
          r.seq,
          'PL_AUDIT_HASH_MISMATCH',
          'the event does not match its hash: it was edited, or moved from another position',
        );
      } else {
        intact.push(r);
        if (r.hash === expectHead) anchorSeen = true;
      }
      // Chained on the stored hash, so one edited event is one problem, not a cascade.
      prevHash = r.hash;
      lastSeq = r.seq;
    }
    for (const seq of await lossyEdits(q, intact)) {
      report(
        seq,
        'PL_AUDIT_HASH_MISMATCH',
        'the stored JSON differs from what the hash covers: it was edited',
      );
    }
    if (page.rows.length < pageSize) break;
  }

  if (!head) {
    report(lastSeq, 'PL_AUDIT_HEAD_MISMATCH', 'the audit head row is missing');
  } else if (lastSeq < head.seq) {
    report(
      head.seq,
      'PL_AUDIT_TRUNCATED',
      `the log ends at seq ${lastSeq} but the head records seq ${head.seq}: events were deleted from the end`,
    );
  } else if (lastSeq > head.seq) {
    report(
      head.seq,
      'PL_AUDIT_HEAD_MISMATCH',
      `events after the head's seq ${head.seq} exist (up to ${lastSeq}): appended outside the audit log, or the head was rolled back`,
    );
  } else if (head.hash !== prevHash) {
    report(
      head.seq,
      'PL_AUDIT_HEAD_MISMATCH',
      `the head's hash is not the hash of the last event (seq ${lastSeq})`,
    );
  }
  // Every chain starts from the genesis hash.
  if (expectHead !== undefined && expectHead !== GENESIS_HASH && !anchorSeen) {
    report(
      head?.seq ?? lastSeq,
      'PL_AUDIT_ANCHOR_MISSING',
      `no event has the expected head hash ${expectHead}: the chain was rewritten or truncated since it was recorded`,
    );
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0 && omitted === 0,
    events,
    problems,
    problemsOmitted: omitted,
    head: head ? { seq: head.seq, hash: head.hash } : null,
  };
}

/**
 * Verifies the whole chain. Given the Db, it reads one consistent snapshot
 * (a read-only REPEATABLE READ transaction), so appends running meanwhile on
 * other connections neither show as a moved head nor get half-read.
 */
export async function verifyAudit(q: Queryable, options: VerifyOptions = {}): Promise<AuditVerification> {
  const db = q as Partial<Db>;
  if (typeof db.transaction !== 'function') return verifyIn(q, options);
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return verifyIn(tx, options);
  });
}
