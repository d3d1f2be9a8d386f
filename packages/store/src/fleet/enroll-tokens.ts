/**
 * Per-host one-time enrollment tokens (migration 0013): what lets an agent
 * that lost its credential take its host back, once, before the expiry.
 */
import type { Queryable } from '../db.js';

export interface HostEnrollTokenRecord {
  readonly id: number;
  readonly hostId: number;
  readonly publicId: string;
  readonly secretHash: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

type Row = Record<string, unknown>;
const record = (r: Row): HostEnrollTokenRecord => ({
  id: Number(r.id),
  hostId: Number(r.host_id),
  publicId: r.public_id as string,
  secretHash: r.secret_hash as string,
  createdBy: r.created_by as string,
  createdAt: new Date(r.created_at as string),
  expiresAt: new Date(r.expires_at as string),
  usedAt: r.used_at === null || r.used_at === undefined ? null : new Date(r.used_at as string),
});

/** Issues a token for a host; the host's earlier unused tokens stop working. Returns how many did. */
export async function insertHostEnrollToken(
  q: Queryable,
  t: { hostId: number; publicId: string; secretHash: string; createdBy: string; now: Date; expiresAt: Date },
): Promise<{ token: HostEnrollTokenRecord; replaced: number }> {
  const old = await q.query(
    'DELETE FROM host_enroll_token WHERE host_id = $1 AND used_at IS NULL RETURNING id',
    [t.hostId],
  );
  const r = await q.query(
    `INSERT INTO host_enroll_token (host_id, public_id, secret_hash, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [t.hostId, t.publicId, t.secretHash, t.createdBy, t.now, t.expiresAt],
  );
  return { token: record(r.rows[0] as Row), replaced: old.rows.length };
}

export async function findHostEnrollToken(
  q: Queryable,
  publicId: string,
): Promise<HostEnrollTokenRecord | null> {
  const r = await q.query('SELECT * FROM host_enroll_token WHERE public_id = $1', [publicId]);
  return r.rows[0] ? record(r.rows[0] as Row) : null;
}

/** Marks a token used, once: false when it was used already (a concurrent enrollment won). */
export async function useHostEnrollToken(q: Queryable, id: number, now: Date): Promise<boolean> {
  const r = await q.query(
    'UPDATE host_enroll_token SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id',
    [id, now],
  );
  return r.rows.length === 1;
}
