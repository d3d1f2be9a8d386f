/**
 * What the fleet's remediations (core/remediation) are computed from: the
 * hosts with a package manager and the updates they were offered, and the
 * open, fixable findings not under an active exception.
 */
import type { Queryable } from '../db.js';
import { exceptedFindingIds, notExcepted } from './exceptions.js';
import { activeHostOf } from './hosts.js';

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

export async function loadRemediationInputs(
  q: Queryable,
  now: Date,
): Promise<{ hosts: RemediationHostRow[]; findings: RemediationFindingRow[] }> {
  const hosts = await q.query<{
    id: number;
    hostname: string;
    package_manager: string;
    updates: { name: string; candidateVersion: string }[] | null;
  }>(
    'SELECT id, hostname, package_manager, updates FROM host WHERE package_manager IS NOT NULL AND retired_at IS NULL',
  );
  const excepted = await exceptedFindingIds(q, now, 'f.resolved_at IS NULL');
  const findings = await q.query<{
    host_id: number;
    package: string;
    source_package: string | null;
    fixed_version: string;
    advisory_id: string;
    risk_score: number | null;
    kev: boolean;
    severity: string | null;
  }>(
    `SELECT f.host_id, f.package, f.data->>'sourcePackage' AS source_package, f.fixed_version,
            f.advisory_id, f.risk_score, f.kev, f.severity
     FROM finding f
     WHERE f.resolved_at IS NULL AND f.status = 'fixable' AND f.fixed_version IS NOT NULL
       AND ${notExcepted('$1')} AND ${activeHostOf('f.host_id')}`,
    [excepted],
  );
  return {
    hosts: hosts.rows.map((h) => ({
      id: Number(h.id),
      hostname: h.hostname,
      packageManager: h.package_manager,
      updates: h.updates ?? [],
    })),
    findings: findings.rows.map((f) => ({
      hostId: Number(f.host_id),
      package: f.package,
      sourcePackage: f.source_package || f.package,
      fixedVersion: f.fixed_version,
      advisoryId: f.advisory_id,
      riskScore: f.risk_score === null ? null : Number(f.risk_score),
      kev: f.kev,
      severity: f.severity,
    })),
  };
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
