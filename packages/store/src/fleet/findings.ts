/**
 * Findings with history: an assessment's findings are merged into the open
 * ones (new → opened with first_seen, gone → resolved_at set, still there →
 * refreshed), so time to remediate can be measured.
 */
import type { Finding } from '@patchloop/core';
import type { Queryable } from '../db.js';

export interface FindingRecord {
  readonly id: number;
  readonly hostId: number;
  readonly hostname: string;
  readonly data: Record<string, unknown>;
  readonly firstSeen: Date;
  readonly resolvedAt: Date | null;
}

export interface StoredFinding {
  readonly finding: Finding;
  readonly json: Record<string, unknown>;
}

const keyOf = (advisoryId: string, pkg: string, arch: string) => `${advisoryId}\u0000${pkg}\u0000${arch}`;

/**
 * Replaces the host's open findings with `findings` (each already in the
 * scan JSON shape in `json`). Returns how many were opened and resolved.
 */
export async function syncHostFindings(
  q: Queryable,
  hostId: number,
  findings: readonly StoredFinding[],
  now: Date,
): Promise<{ opened: number; resolved: number; open: number }> {
  const open = await q.query<{ id: number; advisory_id: string; package: string; arch: string }>(
    'SELECT id, advisory_id, package, arch FROM finding WHERE host_id = $1 AND resolved_at IS NULL',
    [hostId],
  );
  const byKey = new Map(open.rows.map((r) => [keyOf(r.advisory_id, r.package, r.arch), Number(r.id)]));
  const seen = new Set<string>();
  const fresh: StoredFinding[] = [];
  const still: { id: number; f: StoredFinding }[] = [];
  for (const f of findings) {
    const k = keyOf(f.finding.advisory.id, f.finding.package, f.finding.arch ?? '');
    if (seen.has(k)) continue;
    seen.add(k);
    const id = byKey.get(k);
    if (id === undefined) fresh.push(f);
    else still.push({ id, f });
  }
  const gone = [...byKey].filter(([k]) => !seen.has(k)).map(([, id]) => id);
  if (gone.length > 0) {
    await q.query('UPDATE finding SET resolved_at = $2 WHERE id = ANY($1::bigint[])', [gone, now]);
  }
  const cols = (list: readonly StoredFinding[]) => [
    list.map((f) => f.finding.advisory.id),
    list.map((f) => f.finding.package),
    list.map((f) => f.finding.arch ?? ''),
    list.map((f) => f.finding.installedVersion),
    list.map((f) => f.finding.fixedVersion),
    list.map((f) => f.finding.status),
    list.map((f) => f.finding.severity),
    list.map((f) => f.finding.kev !== null),
    list.map((f) => JSON.stringify(f.json)),
  ];
  if (fresh.length > 0) {
    await q.query(
      `INSERT INTO finding (host_id, advisory_id, package, arch, installed_version, fixed_version, status, severity,
         kev, data, first_seen, last_seen)
       SELECT $1, a, p, ar, iv, fv, st, sv, k, d::jsonb, $11, $11
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::boolean[], $10::text[]) AS t(a, p, ar, iv, fv, st, sv, k, d)`,
      [hostId, ...cols(fresh), now],
    );
  }
  if (still.length > 0) {
    const c = cols(still.map((s) => s.f));
    await q.query(
      `UPDATE finding f SET installed_version = t.iv, fixed_version = t.fv, status = t.st, severity = t.sv,
         kev = t.k, data = t.d::jsonb, last_seen = $8
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
         AS t(id, iv, fv, st, sv, k, d)
       WHERE f.id = t.id`,
      [still.map((s) => s.id), c[3], c[4], c[5], c[6], c[7], c[8], now],
    );
  }
  return { opened: fresh.length, resolved: gone.length, open: seen.size };
}

export interface FindingFilter {
  readonly hostId?: number | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly severity?: string | undefined;
  readonly kev?: boolean | undefined;
  /** fixable | unfixed | open (default) | resolved */
  readonly status?: string | undefined;
  readonly advisory?: string | undefined;
  readonly package?: string | undefined;
}

export async function listFindings(
  q: Queryable,
  f: FindingFilter,
): Promise<{ items: FindingRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.hostId !== undefined) where.push(`f.host_id = ${p(f.hostId)}`);
  const status = f.status ?? 'open';
  if (status === 'resolved') where.push('f.resolved_at IS NOT NULL');
  else where.push('f.resolved_at IS NULL');
  if (status === 'fixable' || status === 'unfixed') where.push(`f.status = ${p(status)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (f.advisory) {
    const a = p(f.advisory);
    where.push(`(f.advisory_id = ${a} OR f.data->'advisory'->'aliases' ? ${a})`);
  }
  if (f.package) where.push(`f.package = ${p(f.package)}`);
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM finding f ${w}`, params);
  const rows = await q.query<{
    id: number;
    host_id: number;
    hostname: string;
    data: Record<string, unknown>;
    first_seen: string;
    resolved_at: string | null;
  }>(
    `SELECT f.id, f.host_id, h.hostname, f.data, f.first_seen, f.resolved_at
     FROM finding f JOIN host h ON h.id = f.host_id ${w}
     ORDER BY h.hostname, f.host_id, f.package, f.advisory_id, f.id
     LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return {
    total: total.rows[0]?.n ?? 0,
    items: rows.rows.map((r) => ({
      id: Number(r.id),
      hostId: Number(r.host_id),
      hostname: r.hostname,
      data: r.data,
      firstSeen: new Date(r.first_seen),
      resolvedAt: r.resolved_at === null ? null : new Date(r.resolved_at),
    })),
  };
}

export interface VulnerabilityRow {
  readonly advisoryId: string;
  readonly sample: Record<string, unknown>;
  readonly hosts: number;
  readonly packages: string[];
  readonly fixable: number;
  readonly unfixed: number;
}

/** The fleet view: open findings grouped by advisory, most hosts first. */
export async function listVulnerabilities(
  q: Queryable,
  f: { limit: number; offset: number; kev?: boolean | undefined; severity?: string | undefined },
): Promise<{ items: VulnerabilityRow[]; total: number }> {
  const where = ['f.resolved_at IS NULL'];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.kev !== undefined) where.push(`f.kev = ${p(f.kev)}`);
  if (f.severity === 'unknown') where.push('f.severity IS NULL');
  else if (f.severity) where.push(`f.severity = ${p(f.severity)}`);
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await q.query<{ n: number }>(
    `SELECT count(DISTINCT f.advisory_id)::int AS n FROM finding f ${w}`,
    params,
  );
  const rows = await q.query<{
    advisory_id: string;
    sample: Record<string, unknown>;
    hosts: number;
    packages: string[];
    fixable: number;
    unfixed: number;
  }>(
    `SELECT f.advisory_id, (array_agg(f.data ORDER BY f.id))[1] AS sample,
       count(DISTINCT f.host_id)::int AS hosts, array_agg(DISTINCT f.package) AS packages,
       count(*) FILTER (WHERE f.status = 'fixable')::int AS fixable,
       count(*) FILTER (WHERE f.status = 'unfixed')::int AS unfixed
     FROM finding f ${w} GROUP BY f.advisory_id
     ORDER BY count(DISTINCT f.host_id) DESC, f.advisory_id LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return {
    total: total.rows[0]?.n ?? 0,
    items: rows.rows.map((r) => ({
      advisoryId: r.advisory_id,
      sample: r.sample,
      hosts: r.hosts,
      packages: [...r.packages].sort(),
      fixable: r.fixable,
      unfixed: r.unfixed,
    })),
  };
}
