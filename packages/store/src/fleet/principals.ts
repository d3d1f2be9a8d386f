/**
 * Who may call the API: users (password, scrypt), API tokens and agent
 * credentials (public id + secret, the secret stored as a hash). Hashing and
 * verification live in the server; this is storage only.
 */
import type { Role } from '@patchloop/core';
import type { Queryable } from '../db.js';

export type { Role };

export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

export interface TokenRecord {
  readonly id: number;
  readonly publicId: string;
  readonly secretHash: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  /**
   * The user who created the token (created by `user:<name>`), when that user
   * exists: a token acts for its owner, so it stops working when the owner is
   * disabled and never has more rights than the owner's role (findToken only).
   */
  readonly owner: { readonly role: Role; readonly disabledAt: Date | null } | null;
}

export interface AgentCredentialRecord {
  readonly id: number;
  readonly hostId: number;
  readonly publicId: string;
  readonly secretHash: string;
  readonly revokedAt: Date | null;
}

type Row = Record<string, unknown>;
const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

const user = (r: Row): UserRecord => ({
  id: Number(r.id),
  username: r.username as string,
  passwordHash: r.password_hash as string,
  role: r.role as Role,
  createdAt: new Date(r.created_at as string),
  disabledAt: d(r.disabled_at),
});

const token = (r: Row): TokenRecord => ({
  id: Number(r.id),
  publicId: r.public_id as string,
  secretHash: r.secret_hash as string,
  name: r.name as string,
  role: r.role as Role,
  createdBy: r.created_by as string,
  createdAt: new Date(r.created_at as string),
  expiresAt: d(r.expires_at),
  lastUsedAt: d(r.last_used_at),
  revokedAt: d(r.revoked_at),
  owner: r.owner_role ? { role: r.owner_role as Role, disabledAt: d(r.owner_disabled_at) } : null,
});

export async function findUser(q: Queryable, username: string): Promise<UserRecord | null> {
  const r = await q.query('SELECT * FROM app_user WHERE username = $1', [username]);
  return r.rows[0] ? user(r.rows[0]) : null;
}

export async function listUsers(q: Queryable): Promise<UserRecord[]> {
  return (await q.query('SELECT * FROM app_user ORDER BY username')).rows.map(user);
}

export async function insertUser(
  q: Queryable,
  u: { username: string; passwordHash: string; role: Role; now: Date },
): Promise<UserRecord | null> {
  const r = await q.query(
    `INSERT INTO app_user (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [u.username, u.passwordHash, u.role, u.now],
  );
  return r.rows[0] ? user(r.rows[0]) : null;
}

export async function setUserPassword(q: Queryable, username: string, passwordHash: string): Promise<void> {
  await q.query('UPDATE app_user SET password_hash = $2 WHERE username = $1', [username, passwordHash]);
}

/** Changes a user's role and, when given, whether it is disabled (the time, or null to enable). */
export async function updateUser(
  q: Queryable,
  username: string,
  change: { readonly role?: Role | undefined; readonly disabledAt?: Date | null | undefined },
): Promise<UserRecord | null> {
  const r = await q.query(
    `UPDATE app_user SET role = coalesce($2, role),
       disabled_at = CASE WHEN $3::boolean THEN $4::timestamptz ELSE disabled_at END
     WHERE username = $1 RETURNING *`,
    [username, change.role ?? null, change.disabledAt !== undefined, change.disabledAt ?? null],
  );
  return r.rows[0] ? user(r.rows[0]) : null;
}

/** Locks a user's row for the rest of the transaction. */
export async function lockUser(q: Queryable, username: string): Promise<UserRecord | null> {
  const r = await q.query('SELECT * FROM app_user WHERE username = $1 FOR UPDATE', [username]);
  return r.rows[0] ? user(r.rows[0]) : null;
}

/** Enabled admins, locked (so the last one cannot be disabled or demoted by two requests at once). */
export async function lockEnabledAdmins(q: Queryable): Promise<string[]> {
  const r = await q.query<{ username: string }>(
    "SELECT username FROM app_user WHERE role = 'admin' AND disabled_at IS NULL ORDER BY username FOR UPDATE",
  );
  return r.rows.map((row) => row.username);
}

/**
 * Revokes a user's live sessions (the tokens signing in gave it), except
 * `keep`; returns the ids revoked.
 */
export async function revokeUserSessions(
  q: Queryable,
  username: string,
  now: Date,
  keep: number | null = null,
): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `UPDATE api_token SET revoked_at = $2
     WHERE name = $1 AND created_by = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
       AND id <> coalesce($4::bigint, 0)
     RETURNING id`,
    [`session:${username}`, now, `user:${username}`, keep],
  );
  return r.rows.map((row) => Number(row.id));
}

/** Gives a user's live sessions its new role. */
export async function setUserSessionRole(q: Queryable, username: string, role: Role): Promise<void> {
  await q.query(`UPDATE api_token SET role = $3 WHERE name = $1 AND created_by = $2 AND revoked_at IS NULL`, [
    `session:${username}`,
    `user:${username}`,
    role,
  ]);
}

export async function countUsers(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
  return r.rows[0]?.n ?? 0;
}

export async function insertToken(
  q: Queryable,
  t: {
    publicId: string;
    secretHash: string;
    name: string;
    role: Role;
    createdBy: string;
    now: Date;
    expiresAt: Date | null;
  },
): Promise<TokenRecord> {
  const r = await q.query(
    `INSERT INTO api_token (public_id, secret_hash, name, role, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [t.publicId, t.secretHash, t.name, t.role, t.createdBy, t.now, t.expiresAt],
  );
  return token(r.rows[0] as Row);
}

export async function findToken(q: Queryable, publicId: string): Promise<TokenRecord | null> {
  const r = await q.query(
    `SELECT t.*, u.role AS owner_role, u.disabled_at AS owner_disabled_at
     FROM api_token t LEFT JOIN app_user u ON t.created_by = 'user:' || u.username
     WHERE t.public_id = $1`,
    [publicId],
  );
  return r.rows[0] ? token(r.rows[0]) : null;
}

export async function getToken(q: Queryable, id: number): Promise<TokenRecord | null> {
  const r = await q.query('SELECT * FROM api_token WHERE id = $1', [id]);
  return r.rows[0] ? token(r.rows[0]) : null;
}

export async function listTokens(q: Queryable): Promise<TokenRecord[]> {
  return (await q.query('SELECT * FROM api_token ORDER BY id')).rows.map(token);
}

export async function revokeToken(q: Queryable, id: number, now: Date): Promise<TokenRecord | null> {
  const r = await q.query(
    'UPDATE api_token SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING *',
    [id, now],
  );
  return r.rows[0] ? token(r.rows[0]) : null;
}

export async function touchToken(q: Queryable, id: number, now: Date): Promise<void> {
  await q.query('UPDATE api_token SET last_used_at = $2 WHERE id = $1', [id, now]);
}

/** A new agent credential for a host; the host's earlier ones are revoked. */
export async function replaceAgentCredential(
  q: Queryable,
  c: { hostId: number; publicId: string; secretHash: string; now: Date },
): Promise<void> {
  await q.query('UPDATE agent_credential SET revoked_at = $2 WHERE host_id = $1 AND revoked_at IS NULL', [
    c.hostId,
    c.now,
  ]);
  await q.query(
    `INSERT INTO agent_credential (host_id, public_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
    [c.hostId, c.publicId, c.secretHash, c.now],
  );
}

export async function findAgentCredential(
  q: Queryable,
  publicId: string,
): Promise<AgentCredentialRecord | null> {
  const r = await q.query('SELECT * FROM agent_credential WHERE public_id = $1', [publicId]);
  const row = r.rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    hostId: Number(row.host_id),
    publicId: row.public_id as string,
    secretHash: row.secret_hash as string,
    revokedAt: d(row.revoked_at),
  };
}

export async function getSetting<T>(q: Queryable, key: string): Promise<T | null> {
  const r = await q.query<{ value: T }>('SELECT value FROM setting WHERE key = $1', [key]);
  return r.rows[0]?.value ?? null;
}

export async function putSetting(q: Queryable, key: string, value: unknown, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO setting (key, value, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
    [key, JSON.stringify(value), now],
  );
}

export async function deleteSetting(q: Queryable, key: string): Promise<void> {
  await q.query('DELETE FROM setting WHERE key = $1', [key]);
}
