/**
 * What job signing keeps in the database: each host's job sequence, each
 * dispatched task's signature and the key rotation statements. None of it
 * is secret and none of it lets a database writer sign: the key is a file.
 */
import type { Queryable } from '../db.js';

/** Takes the host's next job sequence number (row-locked until the transaction ends, so numbers follow commit order). */
export async function nextJobSequence(q: Queryable, hostId: number): Promise<number> {
  const r = await q.query<{ job_sequence: string | number }>(
    'UPDATE host SET job_sequence = job_sequence + 1 WHERE id = $1 RETURNING job_sequence',
    [hostId],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`host ${hostId} does not exist`);
  return Number(row.job_sequence);
}

/** The host's last job sequence number handed out (0: none yet). */
export async function jobSequenceOf(q: Queryable, hostId: number): Promise<number> {
  const r = await q.query<{ job_sequence: string | number }>('SELECT job_sequence FROM host WHERE id = $1', [
    hostId,
  ]);
  return Number(r.rows[0]?.job_sequence ?? 0);
}

/** Stores the signature made for a task when it was dispatched. */
export async function setTaskSignature(q: Queryable, taskId: string, signature: unknown): Promise<void> {
  await q.query('UPDATE deployment_task SET signature = $2::jsonb WHERE id = $1', [
    taskId,
    JSON.stringify(signature),
  ]);
}

export interface KeyRotationRow {
  readonly fromKeyId: string;
  readonly toKeyId: string;
  readonly publicKey: string;
  readonly issuedAt: string;
  readonly sig: string;
  readonly createdBy: string;
}

/** Every rotation statement, oldest first. */
export async function listKeyRotations(q: Queryable): Promise<KeyRotationRow[]> {
  const r = await q.query<Record<string, unknown>>(
    'SELECT from_key_id, to_key_id, public_key, issued_at, sig, created_by FROM job_key_rotation ORDER BY issued_at, from_key_id',
  );
  return r.rows.map((x) => ({
    fromKeyId: x.from_key_id as string,
    toKeyId: x.to_key_id as string,
    publicKey: x.public_key as string,
    // The statement's own text (signed), not the database's rendering of the instant.
    issuedAt: x.issued_at as string,
    sig: x.sig as string,
    createdBy: x.created_by as string,
  }));
}

/** Records a rotation statement; false when one from that key exists already. */
export async function insertKeyRotation(q: Queryable, row: KeyRotationRow): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO job_key_rotation (from_key_id, to_key_id, public_key, issued_at, sig, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [row.fromKeyId, row.toKeyId, row.publicKey, row.issuedAt, row.sig, row.createdBy],
  );
  return r.affectedRows > 0;
}

/** Tasks handed out and not finished whose signature was made with `keyId` (re-signed at a rotation). */
export async function handedOutTaskIdsSignedBy(q: Queryable, keyId: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM deployment_task
     WHERE status IN ('dispatched', 'pre-check', 'installing', 'verifying') AND signature->>'keyId' = $1
     ORDER BY id`,
    [keyId],
  );
  return r.rows.map((x) => x.id);
}
