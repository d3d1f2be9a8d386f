/**
 * What the fleet's remediations (core/remediation) are computed from: the
 * hosts with a package manager and the updates they were offered, and the
 * open, fixable findings not under an active exception.
 */
import type { Queryable } from '../db.js';
import { exceptedFindingIds, notExcepted } from './exceptions.js';

export interface RemediationHostRow {
  readonly id: number;
  readonly hostname: string;
  readonly packageManager: string;
  readonly updates: readonly { name: string; candidateVersion: string }[];
}

export interface RemediationFindingRow {
  readonly hostId: number;
  readonly package: string;
  /** The source package the binary was built from (the finding's own package when unknown). */
  readonly sourcePackage: string;
  readonly fixedVersion: string;
  readonly advisoryId: string;
  readonly riskScore: number | null;
  readonly kev: boolean;
  readonly severity: string | null;
}

type HostRow = {
  id: number;
  hostname: string;
  package_manager: string;
  updates: { name: string; candidateVersion: string }[] | null;
};

const hostOf = (h: HostRow): RemediationHostRow => ({
  id: Number(h.id),
  hostname: h.hostname,
  packageManager: h.package_manager,
  updates: h.updates ?? [],
});

/** The source package of finding `f`: the one its JSON names, else its own package. */
const SOURCE_OF = `coalesce(nullif(f.data->>'sourcePackage', ''), f.package)`;

/**
 * The open, fixable findings not under an exception at `now` of the hosts
 * `hostIds` (live ones with a package manager), optionally only those of one
 * source package (`binaries`: the binary packages it is known by, which an
 * index finds). The excepted ones are looked up among these hosts only, so
 * what is held stays bounded by the batch.
 */
async function fixableFindingsOf(
  q: Queryable,
  now: Date,
  hostIds: readonly number[],
  only?: { source: string; binaries: readonly string[] },
): Promise<RemediationFindingRow[]> {
  if (hostIds.length === 0) return [];
  const scope = 'f.resolved_at IS NULL AND f.host_id = ANY($2::bigint[])';
  const excepted = await exceptedFindingIds(q, now, scope, [[...hostIds]]);
  const params: unknown[] = [excepted, [...hostIds]];
  let pkg = '';
  if (only) {
    params.push([...only.binaries], only.source);
    pkg = `AND f.package = ANY($3::text[]) AND ${SOURCE_OF} = $4`;
  }
  const findings = await q.query<{
    host_id: number;
    package: string;
    source_package: string;
    fixed_version: string;
    advisory_id: string;
    risk_score: number | null;
    kev: boolean;
    severity: string | null;
  }>(
    `SELECT f.host_id, f.package, ${SOURCE_OF} AS source_package, f.fixed_version,
            f.advisory_id, f.risk_score, f.kev, f.severity
     FROM finding f
     WHERE f.host_id = ANY($2::bigint[]) AND f.resolved_at IS NULL AND f.status = 'fixable'
       AND f.fixed_version IS NOT NULL AND ${notExcepted('$1')} ${pkg}
     ORDER BY f.host_id, f.id`,
    params,
  );
  return findings.rows.map((f) => ({
    hostId: Number(f.host_id),
    package: f.package,
    sourcePackage: f.source_package,
    fixedVersion: f.fixed_version,
    advisoryId: f.advisory_id,
    riskScore: f.risk_score === null ? null : Number(f.risk_score),
    kev: f.kev,
    severity: f.severity,
  }));
}

/** Hosts a remediation batch holds. */
export const REMEDIATION_BATCH = 500;

/**
 * The live hosts with a package manager, one per class: hosts with the same
 * finding class (findings.ts findingClass: open findings' facts and risk) and
 * the same inventory hash (packages and offered updates) remediate the same
 * way, so one of them (the lowest id) stands for `weight` hosts. A host with
 * no class yet, no inventory hash, or a finding under an exception at `now`
 * stands for itself. In id order.
 */
export async function remediationRepresentatives(
  q: Queryable,
  now: Date,
): Promise<{ id: number; weight: number }[]> {
  const excepted = await exceptedFindingIds(q, now, 'f.resolved_at IS NULL');
  const r = await q.query<{ id: number; weight: number }>(
    `WITH x AS (SELECT DISTINCT host_id FROM host_finding WHERE id = ANY($1::bigint[]))
     SELECT min(h.id) AS id, count(*)::int AS weight FROM host h
     WHERE h.package_manager IS NOT NULL AND h.retired_at IS NULL
     GROUP BY CASE WHEN h.finding_class IS NULL OR h.inventory_hash IS NULL OR h.id IN (SELECT host_id FROM x)
       THEN h.id::text ELSE h.finding_class || ' ' || h.inventory_hash END
     ORDER BY 1`,
    [excepted],
  );
  return r.rows.map((row) => ({ id: Number(row.id), weight: Number(row.weight) }));
}

/**
 * The inputs of the fleet's remediations a batch of representatives at a time
 * (remediationRepresentatives, REMEDIATION_BATCH each): each with its offered
 * updates, its weight and all its open, fixable findings not under an
 * exception at `now`. Memory stays bounded by a batch (and one id and weight
 * per class) whatever the fleet; what is read grows with the classes, not the hosts.
 */
export async function* remediationInputBatches(
  q: Queryable,
  now: Date,
  batch = REMEDIATION_BATCH,
): AsyncGenerator<{ hosts: (RemediationHostRow & { weight: number })[]; findings: RemediationFindingRow[] }> {
  const reps = await remediationRepresentatives(q, now);
  for (let i = 0; i < reps.length; i += batch) {
    const part = reps.slice(i, i + batch);
    const weight = new Map(part.map((p) => [p.id, p.weight]));
    const r = await q.query<HostRow>(
      `SELECT id, hostname, package_manager, updates FROM host
       WHERE id = ANY($1::bigint[]) AND package_manager IS NOT NULL AND retired_at IS NULL ORDER BY id`,
      [part.map((p) => p.id)],
    );
    const hosts = r.rows.map((h) => ({ ...hostOf(h), weight: weight.get(Number(h.id)) ?? 1 }));
    yield {
      hosts,
      findings: await fixableFindingsOf(
        q,
        now,
        hosts.map((h) => h.id),
      ),
    };
  }
}

/**
 * The inputs of one source package's remediations: the hosts with an open,
 * fixable finding on one of its `binaries`, and those findings.
 */
export async function remediationInputsOfSource(
  q: Queryable,
  now: Date,
  source: string,
  binaries: readonly string[],
): Promise<{ hosts: RemediationHostRow[]; findings: RemediationFindingRow[] }> {
  const r = await q.query<HostRow>(
    `SELECT h.id, h.hostname, h.package_manager, h.updates FROM host h
     WHERE h.package_manager IS NOT NULL AND h.retired_at IS NULL
       AND EXISTS (SELECT 1 FROM finding f WHERE f.host_id = h.id AND f.package = ANY($1::text[])
                   AND f.resolved_at IS NULL AND f.status = 'fixable')
     ORDER BY h.id`,
    [[...binaries]],
  );
  const hosts = r.rows.map(hostOf);
  const findings = await fixableFindingsOf(
    q,
    now,
    hosts.map((h) => h.id),
    { source, binaries },
  );
  return { hosts, findings };
}

/**
 * A key that changes whenever the remediation inputs may have (a host's
 * findings, offered updates, groups or retirement — migration 0020's
 * `plan_revision` —, a host added or removed, the exceptions in force at
 * `now`): a plan computed in a snapshot with this key may be reused while
 * the key is the same. One narrow pass over the host table.
 */
export async function remediationInputsKey(q: Queryable, now: Date): Promise<string> {
  const r = await q.query<{ hosts: string; exceptions: string | null }>(
    `SELECT (SELECT concat_ws(':', count(*), sum(plan_revision), max(id)) FROM host) AS hosts,
            (SELECT string_agg(id::text, ',' ORDER BY id) FROM risk_exception
              WHERE status = 'approved' AND expires_at > $1) AS exceptions`,
    [now],
  );
  const row = r.rows[0];
  return `${row?.hosts ?? ''}/${row?.exceptions ?? ''}`;
}

/** An open, fixable finding of a host and the version that fixes it. */
export interface OpenFix {
  readonly package: string;
  readonly fixedVersion: string;
  readonly advisoryId: string;
}

/**
 * A host's open, fixable findings of these advisories, named by id or by
 * an alias (a CVE id): what a deployment of those advisories installs.
 */
export async function openFixesForAdvisories(
  q: Queryable,
  hostId: number,
  advisories: readonly string[],
): Promise<OpenFix[]> {
  const r = await q.query<{ package: string; fixed_version: string; advisory_id: string }>(
    `SELECT package, fixed_version, advisory_id FROM finding
     WHERE host_id = $1 AND resolved_at IS NULL AND status = 'fixable' AND fixed_version IS NOT NULL
       AND (advisory_id = ANY($2::text[]) OR EXISTS (
         SELECT 1 FROM jsonb_array_elements_text(data->'advisory'->'aliases') a WHERE a = ANY($2::text[])))`,
    [hostId, [...advisories]],
  );
  return r.rows.map((f) => ({
    package: f.package,
    fixedVersion: f.fixed_version,
    advisoryId: f.advisory_id,
  }));
}
