/** The host list: its filters, sort orders and counts (GET /api/v1/hosts, the dashboard's figures). */
import type { Queryable } from '../db.js';
import { countMatching, sqlParams } from './filter-counts.js';
import { ACTIVE_HOST, HOST_SELECT, hostFromRow, type HostRecord, type HostRow } from './hosts.js';

/** What a host list filters on (GET /api/v1/hosts, and the dashboard's host figures). */
export interface HostWhere {
  readonly q?: string | undefined;
  readonly os?: string | undefined;
  readonly tag?: string | undefined;
  readonly criticality?: string | undefined;
  /** Hosts not seen since this time are stale. */
  readonly staleBefore?: Date | undefined;
  readonly stale?: boolean | undefined;
  readonly hasKev?: boolean | undefined;
  /** The host's last facts say a reboot is required. */
  readonly reboot?: boolean | undefined;
  /** The stored end-of-life assessment's status is `eol` (no security fixes, no extended support left). */
  readonly eol?: boolean | undefined;
  /** Assessed: findings were computed against advisories for the host's release (ASSESSED). */
  readonly assessed?: boolean | undefined;
  /** The stored patch status; a host not yet assessed is `not-assessed`. */
  readonly patchStatus?: string | undefined;
  /** Retired hosts: left out (undefined, false), only them (true), or with the others ('any'). */
  readonly retired?: boolean | 'any' | undefined;
}

/** A host is assessed when its last assessment ran against advisories for its release, without error. */
export const ASSESSED = 'h.assessed_at IS NOT NULL AND h.assessment_error IS NULL';
const PATCH_STATUS = "coalesce(h.patch_status, 'not-assessed')";

export interface HostListFilter extends HostWhere {
  readonly limit: number;
  readonly offset: number;
  readonly sort?:
    | 'hostname'
    | 'lastSeen'
    | 'findings'
    | 'kev'
    | 'os'
    | 'criticality'
    | 'packages'
    | 'patchStatus'
    | 'updates'
    | 'lastPatched'
    | undefined;
  readonly order?: 'asc' | 'desc' | undefined;
}

const SORTS: Record<NonNullable<HostListFilter['sort']>, readonly string[]> = {
  hostname: ['h.hostname'],
  lastSeen: ['h.last_seen'],
  findings: ["coalesce((h.finding_counts->>'total')::int, 0)"],
  kev: ["coalesce((h.finding_counts->>'kev')::int, 0)"],
  os: ['h.os_id', 'h.os_version'],
  // tier0 (most critical) sorts first ascending.
  criticality: ['h.criticality'],
  packages: ['h.package_count'],
  // Ascending: the most urgent status first (core's PATCH_STATUSES order), then the most security updates.
  patchStatus: [
    `CASE ${PATCH_STATUS} WHEN 'security-updates-pending' THEN 0 WHEN 'reboot-pending' THEN 1
       WHEN 'updates-pending' THEN 2 WHEN 'not-assessed' THEN 3 ELSE 4 END`,
    '-coalesce(h.updates_security, 0)',
  ],
  updates: ['h.updates_security', 'h.updates_other'],
  lastPatched: ['h.last_patched_at'],
};

/** The SQL conditions (on `host h`) of a filter; `p` binds a parameter. */
function hostConditions(f: HostWhere, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (f.q) where.push(`h.hostname ILIKE ${p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (f.os) where.push(`(h.os_id = ${p(f.os)} OR h.os_id || ':' || coalesce(h.os_version, '') = ${p(f.os)})`);
  if (f.tag) where.push(`h.tags @> ARRAY[${p(f.tag)}]::text[]`);
  if (f.criticality) where.push(`h.criticality = ${p(f.criticality)}`);
  if (f.stale !== undefined && f.staleBefore) {
    // As the summary's `stale` flag: never seen (an imported host excepted), or not since staleBefore.
    const t = p(f.staleBefore);
    const stale = `coalesce(h.last_seen < ${t}, h.transport <> 'import')`;
    where.push(f.stale ? stale : `NOT ${stale}`);
  }
  if (f.hasKev !== undefined) {
    where.push(`coalesce((h.finding_counts->>'kev')::int, 0) ${f.hasKev ? '>' : '='} 0`);
  }
  if (f.reboot !== undefined) where.push(`h.reboot_required = ${p(f.reboot)}`);
  if (f.eol !== undefined) where.push(`coalesce(h.eol->>'status', '') ${f.eol ? '=' : '<>'} 'eol'`);
  if (f.assessed !== undefined) where.push(f.assessed ? `(${ASSESSED})` : `NOT (${ASSESSED})`);
  if (f.patchStatus !== undefined) where.push(`${PATCH_STATUS} = ${p(f.patchStatus)}`);
  if (f.retired === true) where.push(`NOT (${ACTIVE_HOST})`);
  else if (f.retired !== 'any') where.push(ACTIVE_HOST);
  return where;
}

export async function listHosts(
  q: Queryable,
  f: HostListFilter,
): Promise<{ items: HostRecord[]; total: number }> {
  const { values: params, p } = sqlParams();
  const where = hostConditions(f, p);
  const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const dir = f.order === 'desc' ? 'DESC' : 'ASC';
  const sort = SORTS[f.sort ?? 'hostname'].map((c) => `${c} ${dir} NULLS LAST`).join(', ');
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM host h ${w}`, params);
  const rows = await q.query<HostRow>(
    `SELECT ${HOST_SELECT} FROM host h ${w} ORDER BY ${sort}, h.id LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
    params,
  );
  return { items: rows.rows.map(hostFromRow), total: total.rows[0]?.n ?? 0 };
}

/** How many hosts each filter selects: the `total` listHosts gives for it, in one statement. */
export async function countHosts<K extends string>(
  q: Queryable,
  filters: Record<K, HostWhere>,
): Promise<Record<K, number>> {
  const { values, p } = sqlParams();
  const conditions = {} as Record<K, string[]>;
  for (const k of Object.keys(filters) as K[]) conditions[k] = hostConditions(filters[k], p);
  return countMatching(q, 'host h', conditions, values);
}
