/**
 * Policies as code: the current version of each policy and every earlier
 * one (a delete is a version too), written in one transaction.
 */
import type { Queryable } from '../db.js';

export interface PolicyRecord {
  readonly name: string;
  readonly version: number;
  readonly document: Record<string, unknown>;
  readonly source: string;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

export interface PolicyVersionRecord {
  readonly name: string;
  readonly version: number;
  /** null for the version that deleted the policy. */
  readonly document: Record<string, unknown> | null;
  readonly source: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

type Row = Record<string, unknown>;

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
const policy = (r: Row): PolicyRecord => ({
  name: r.name as string,
  version: Number(r.version),
  document: r.document as Record<string, unknown>,
  source: r.source as string,
  updatedBy: r.updated_by as string,
  updatedAt: new Date(r.updated_at as string),
});

export async function getPolicy(q: Queryable, name: string): Promise<PolicyRecord | null> {
  const r = await q.query('SELECT * FROM policy WHERE name = $1 AND deleted_at IS NULL', [name]);
  return r.rows[0] ? policy(r.rows[0]) : null;
}

export async function listPolicies(q: Queryable): Promise<PolicyRecord[]> {
  return (await q.query('SELECT * FROM policy WHERE deleted_at IS NULL ORDER BY name')).rows.map(policy);
}

export async function listPolicyVersions(q: Queryable, name: string): Promise<PolicyVersionRecord[]> {
  const r = await q.query('SELECT * FROM policy_version WHERE name = $1 ORDER BY version DESC', [name]);
  return r.rows.map((row) => ({
    name: row.name as string,
    version: Number(row.version),
    document: (row.document as Record<string, unknown> | null) ?? null,
    source: (row.source as string | null) ?? null,
    createdBy: row.created_by as string,
    createdAt: new Date(row.created_at as string),
  }));
}

/**
 * Stores a new version of a policy (or its first). Returns the previous
 * current version (null when new) and the new one; an unchanged document
 * stores nothing and returns `changed: false`. Call inside a transaction.
 */
export async function putPolicy(
  q: Queryable,
  p: { name: string; document: Record<string, unknown>; source: string; by: string; now: Date },
): Promise<{ before: PolicyRecord | null; after: PolicyRecord; changed: boolean }> {
  const cur = await q.query('SELECT * FROM policy WHERE name = $1 FOR UPDATE', [p.name]);
  const row = cur.rows[0];
  const before = row && row.deleted_at === null ? policy(row) : null;
  // jsonb keeps its own key order: compare canonically.
  if (before && canonical(before.document) === canonical(p.document) && before.source === p.source) {
    return { before, after: before, changed: false };
  }
  const version = row ? Number(row.version) + 1 : 1;
  await q.query(
    `INSERT INTO policy_version (name, version, document, source, created_by, created_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
    [p.name, version, JSON.stringify(p.document), p.source, p.by, p.now],
  );
  const r = await q.query(
    `INSERT INTO policy (name, version, document, source, updated_by, updated_at, deleted_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, NULL)
     ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document,
       source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, deleted_at = NULL
     RETURNING *`,
    [p.name, version, JSON.stringify(p.document), p.source, p.by, p.now],
  );
  return { before, after: policy(r.rows[0] as Row), changed: true };
}

/** Deletes a policy (its versions stay; the deletion is a version). */
export async function deletePolicy(
  q: Queryable,
  p: { name: string; by: string; now: Date },
): Promise<PolicyRecord | null> {
  const cur = await q.query('SELECT * FROM policy WHERE name = $1 AND deleted_at IS NULL FOR UPDATE', [
    p.name,
  ]);
  const row = cur.rows[0];
  if (!row) return null;
  const version = Number(row.version) + 1;
  await q.query(
    `INSERT INTO policy_version (name, version, document, source, created_by, created_at)
     VALUES ($1, $2, NULL, NULL, $3, $4)`,
    [p.name, version, p.by, p.now],
  );
  await q.query('UPDATE policy SET deleted_at = $2, version = $3 WHERE name = $1', [p.name, p.now, version]);
  return policy(row);
}
