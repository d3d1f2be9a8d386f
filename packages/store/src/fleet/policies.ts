/**
 * Policies as code: the current version of each policy and every earlier
 * one (a delete is a version too), written in one transaction.
 */
import type { PolicyDocument } from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { Row } from '../row.js';

export interface PolicyRecord {
  readonly name: string;
  readonly version: number;
  /** Validated by core's parsePolicy when applied (the only writer). */
  readonly document: PolicyDocument;
  readonly source: string;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

export interface PolicyVersionRecord {
  readonly name: string;
  readonly version: number;
  /** null for the version that deleted the policy. */
  readonly document: PolicyDocument | null;
  readonly source: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

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
const policy = (r: Row<'policy'>): PolicyRecord => ({
  name: r.name,
  version: r.version,
  document: r.document as PolicyDocument,
  source: r.source,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

export async function getPolicy(q: Queryable, name: string): Promise<PolicyRecord | null> {
  const r = await q.query<Row<'policy'>>('SELECT * FROM policy WHERE name = $1 AND deleted_at IS NULL', [
    name,
  ]);
  return r.rows[0] ? policy(r.rows[0]) : null;
}

export async function listPolicies(q: Queryable): Promise<PolicyRecord[]> {
  return (
    await q.query<Row<'policy'>>('SELECT * FROM policy WHERE deleted_at IS NULL ORDER BY name')
  ).rows.map(policy);
}

export async function listPolicyVersions(q: Queryable, name: string): Promise<PolicyVersionRecord[]> {
  const r = await q.query<Row<'policy_version'>>(
    'SELECT * FROM policy_version WHERE name = $1 ORDER BY version DESC',
    [name],
  );
  return r.rows.map((row) => ({
    name: row.name,
    version: row.version,
    document: row.document as PolicyDocument | null,
    source: row.source,
    createdBy: row.created_by,
    createdAt: row.created_at,
  }));
}

/**
 * Stores a new version of a policy (or its first). Returns the previous
 * current version (null when new) and the new one; an unchanged document
 * stores nothing and returns `changed: false`. Call inside a transaction.
 */
export async function putPolicy(
  q: Queryable,
  p: { name: string; document: PolicyDocument; source: string; by: string; now: Date },
): Promise<{ before: PolicyRecord | null; after: PolicyRecord; changed: boolean }> {
  const cur = await q.query<Row<'policy'>>('SELECT * FROM policy WHERE name = $1 FOR UPDATE', [p.name]);
  const row = cur.rows[0];
  const before = row && row.deleted_at === null ? policy(row) : null;
  // jsonb keeps its own key order: compare canonically.
  if (before && canonical(before.document) === canonical(p.document) && before.source === p.source) {
    return { before, after: before, changed: false };
  }
  const version = row ? row.version + 1 : 1;
  await q.query(
    `INSERT INTO policy_version (name, version, document, source, created_by, created_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
    [p.name, version, JSON.stringify(p.document), p.source, p.by, p.now],
  );
  const r = await q.query<Row<'policy'>>(
    `INSERT INTO policy (name, version, document, source, updated_by, updated_at, deleted_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, NULL)
     ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document,
       source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, deleted_at = NULL
     RETURNING *`,
    [p.name, version, JSON.stringify(p.document), p.source, p.by, p.now],
  );
  return { before, after: policy(r.rows[0] as Row<'policy'>), changed: true };
}

/** Deletes a policy (its versions stay; the deletion is a version). */
export async function deletePolicy(
  q: Queryable,
  p: { name: string; by: string; now: Date },
): Promise<PolicyRecord | null> {
  const cur = await q.query<Row<'policy'>>(
    'SELECT * FROM policy WHERE name = $1 AND deleted_at IS NULL FOR UPDATE',
    [p.name],
  );
  const row = cur.rows[0];
  if (!row) return null;
  const version = row.version + 1;
  await q.query(
    `INSERT INTO policy_version (name, version, document, source, created_by, created_at)
     VALUES ($1, $2, NULL, NULL, $3, $4)`,
    [p.name, version, p.by, p.now],
  );
  await q.query('UPDATE policy SET deleted_at = $2, version = $3 WHERE name = $1', [p.name, p.now, version]);
  return policy(row);
}
