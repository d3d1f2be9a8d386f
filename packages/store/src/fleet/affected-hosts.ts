/**
 * What a feed import changed, and the hosts it can change the findings of
 * (incremental re-assessment, docs/scale.md §3.2): read in SQL from the
 * import runs' change events and rows, so that an import touching a few
 * advisories costs a few index lookups, not a pass over the fleet.
 *
 * The caller (the server's assess-import job) maps each OS release of the
 * fleet to the advisory releases and lookup names core's matcher uses; the
 * store answers per release which hosts hold a package of those names.
 */
import type { Queryable } from '../db.js';
import { ACTIVE_HOST } from './hosts.js';

/** The import runs with ids in [from, to] that changed something. */
const RUNS = 'SELECT id, source, finished_at FROM import_run WHERE id BETWEEN $1 AND $2 AND imported > 0';
const EVENTS = 'SELECT kind, source, subject FROM change_event WHERE import_id BETWEEN $1 AND $2';

/** The newest import run's id (0 when none): an import's runs are those after the id read before it. */
export async function lastImportId(q: Queryable): Promise<number> {
  const r = await q.query<{ id: number | null }>('SELECT max(id) AS id FROM import_run');
  return Number(r.rows[0]?.id ?? 0);
}

/** The setting naming the newest import run whose hosts were queued for re-assessment. */
const ASSESSED_THROUGH = 'assess.imports.through';

/** Records that the import runs up to `through` had their hosts queued (never moves back). */
export async function markImportsAssessed(q: Queryable, through: number, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO setting (key, value, updated_at) VALUES ($1, to_jsonb($2::bigint), $3)
     ON CONFLICT (key) DO UPDATE SET value = to_jsonb(greatest(setting.value::text::bigint, $2::bigint)),
       updated_at = EXCLUDED.updated_at`,
    [ASSESSED_THROUGH, through, now],
  );
}

/**
 * The import runs no assess-import job has covered (a server killed between
 * an import's commit and the queueing of its job; `patchloop feeds import`
 * run beside the server): [from, to], or null when there are none. On a
 * store that never recorded any, the mark starts at the newest run.
 */
export async function importsNotAssessed(
  q: Queryable,
  now: Date,
): Promise<{ from: number; to: number } | null> {
  const last = await lastImportId(q);
  const r = await q.query<{ v: number | string }>('SELECT value AS v FROM setting WHERE key = $1', [
    ASSESSED_THROUGH,
  ]);
  const row = r.rows[0];
  if (!row) {
    await markImportsAssessed(q, last, now);
    return null;
  }
  const through = Number(row.v);
  return last > through ? { from: through + 1, to: last } : null;
}

/** An advisory package slot: what the matcher looks advisories up by. */
export interface AdvisorySlot {
  readonly ecosystem: string;
  readonly release: string;
  readonly package: string;
}

/** The (ecosystem, release, package) slots of the advisories new or modified by the runs in [from, to]. */
export async function changedAdvisorySlots(q: Queryable, from: number, to: number): Promise<AdvisorySlot[]> {
  const r = await q.query<AdvisorySlot>(
    `SELECT DISTINCT p.ecosystem, p.release, p.package
     FROM (${EVENTS}) e
     JOIN advisory_package p ON p.source = e.source AND p.advisory_id = e.subject
     WHERE e.kind IN ('advisory.new', 'advisory.modified')`,
    [from, to],
  );
  return r.rows;
}

/**
 * Hosts (not retired) with open findings the runs in [from, to] may change
 * without any package lookup: findings of a new or modified advisory (one
 * that dropped a package resolves them), and findings whose advisory is, or
 * names as an alias, a CVE whose enrichment changed (KEV entry added,
 * modified or removed; EPSS jump; CVE record written).
 */
export async function hostsWithChangedFindings(q: Queryable, from: number, to: number): Promise<number[]> {
  const r = await q.query<{ host_id: number }>(
    `WITH events AS (${EVENTS}),
     cves AS (
       SELECT subject AS id FROM events WHERE kind LIKE 'kev.%' OR kind = 'epss.jump'
       UNION
       SELECT c.id FROM (${RUNS}) run JOIN cve c ON c.imported_at = run.finished_at WHERE run.source = 'cve'
     ),
     advisories AS (
       SELECT subject AS id FROM events WHERE kind IN ('advisory.new', 'advisory.modified')
       UNION SELECT id FROM cves
       UNION SELECT a.id FROM advisory a WHERE a.aliases && ARRAY(SELECT id FROM cves)
     )
     SELECT DISTINCT f.host_id FROM finding f JOIN host h ON h.id = f.host_id
     WHERE f.resolved_at IS NULL AND f.advisory_id IN (SELECT id FROM advisories) AND ${ACTIVE_HOST}`,
    [from, to],
  );
  return r.rows.map((row) => Number(row.host_id));
}

/** The endoflife.date cycles the runs in [from, to] added or changed, as "product cycle". */
export async function changedEolCycles(q: Queryable, from: number, to: number): Promise<string[]> {
  const r = await q.query<{ k: string }>(
    `SELECT subject AS k FROM (${EVENTS}) e WHERE e.kind = 'endoflife.modified'
     UNION
     SELECT c.product || ' ' || c.cycle FROM (${RUNS}) run
     JOIN eol_cycle c ON c.imported_at = run.finished_at WHERE run.source = 'endoflife'`,
    [from, to],
  );
  return r.rows.map((row) => row.k);
}

/** An OS release the fleet runs (hosts not retired, with a package manager). */
export interface FleetRelease {
  readonly osId: string;
  readonly versionId: string | null;
  readonly codename: string | null;
  readonly hosts: number;
}

export async function fleetReleases(q: Queryable): Promise<FleetRelease[]> {
  const r = await q.query<{
    os_id: string;
    os_version: string | null;
    os_codename: string | null;
    n: number;
  }>(
    `SELECT h.os_id, h.os_version, h.os_codename, count(*)::int AS n FROM host h
     WHERE ${ACTIVE_HOST} AND h.os_id IS NOT NULL AND h.package_manager IS NOT NULL
     GROUP BY h.os_id, h.os_version, h.os_codename ORDER BY 1, 2, 3`,
  );
  return r.rows.map((row) => ({
    osId: row.os_id,
    versionId: row.os_version,
    codename: row.os_codename,
    hosts: row.n,
  }));
}

const OF_RELEASE = `h.os_id = $1 AND h.os_version IS NOT DISTINCT FROM $2
  AND h.os_codename IS NOT DISTINCT FROM $3 AND h.package_manager IS NOT NULL AND ${ACTIVE_HOST}`;
const releaseParams = (r: FleetRelease) => [r.osId, r.versionId, r.codename];

/**
 * The hosts of a release holding a package version whose source name
 * ('source') or binary name ('binary') is one of `names`: driven by the
 * package_version name indexes, then host_package by package.
 */
export async function hostsWithPackages(
  q: Queryable,
  release: FleetRelease,
  matchBy: 'source' | 'binary',
  names: readonly string[],
): Promise<number[]> {
  if (names.length === 0) return [];
  const column = matchBy === 'source' ? 'source_name' : 'name';
  const r = await q.query<{ host_id: number }>(
    `SELECT DISTINCT hp.host_id FROM package_version pv
     JOIN host_package hp ON hp.package_id = pv.id
     JOIN host h ON h.id = hp.host_id
     WHERE pv.${column} = ANY($4::text[]) AND ${OF_RELEASE}`,
    [...releaseParams(release), [...names]],
  );
  return r.rows.map((row) => Number(row.host_id));
}

/**
 * The hosts of a release whose last assessment failed or said something
 * (e.g. the store had no advisories for the release yet), or that were never
 * assessed: new advisories for the release must reach them even when none
 * names one of their packages.
 */
export async function hostsNotCleanlyAssessed(q: Queryable, release: FleetRelease): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `SELECT h.id FROM host h WHERE ${OF_RELEASE} AND (h.assessed_at IS NULL OR h.assessment_error IS NOT NULL)
     ORDER BY h.id`,
    releaseParams(release),
  );
  return r.rows.map((row) => Number(row.id));
}

/** Every host of a release (its end-of-life data changed). */
export async function hostsOfRelease(q: Queryable, release: FleetRelease): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `SELECT h.id FROM host h WHERE ${OF_RELEASE} ORDER BY h.id`,
    releaseParams(release),
  );
  return r.rows.map((row) => Number(row.id));
}

/** The fleet cut into ranges of about `size` consecutive host ids (hosts not retired), for range jobs. */
export async function hostIdRanges(q: Queryable, size: number): Promise<{ fromId: number; toId: number }[]> {
  const r = await q.query<{ from_id: number; to_id: number }>(
    `SELECT min(id) AS from_id, max(id) AS to_id
     FROM (SELECT h.id, (row_number() OVER (ORDER BY h.id) - 1) / $1 AS g FROM host h WHERE ${ACTIVE_HOST}) s
     GROUP BY g ORDER BY g`,
    [size],
  );
  return r.rows.map((row) => ({ fromId: Number(row.from_id), toId: Number(row.to_id) }));
}

/** The hosts (not retired) with ids in [fromId, toId] after `after`, in id order, at most `limit`. */
export async function hostIdsInRange(
  q: Queryable,
  fromId: number,
  toId: number,
  after: number,
  limit: number,
): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `SELECT h.id FROM host h WHERE h.id BETWEEN $1 AND $2 AND h.id > $3 AND ${ACTIVE_HOST}
     ORDER BY h.id LIMIT $4`,
    [fromId, toId, after, limit],
  );
  return r.rows.map((row) => Number(row.id));
}
