/**
 * What policies are evaluated against: the live hosts as selectors see
 * them, and for a simulation their updates, open findings and the approved
 * exceptions in force.
 */
import type { Finding, PolicyHost, SimFinding } from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { Row } from '../row.js';
import { packageManagerOf } from './domain-values.js';
import type { HostRecord } from './hosts.js';

type SelectorRow = Pick<Row<'host'>, 'id' | 'hostname' | 'os_id' | 'os_version' | 'tags' | 'groups'>;

const policyHost = (h: SelectorRow): PolicyHost => ({
  id: h.id,
  hostname: h.hostname,
  os: { id: h.os_id ?? 'unknown', versionId: h.os_version },
  tags: h.tags,
  groups: h.groups,
});

/** Every live host as a policy's selector matches it, by id. */
export async function listPolicyHosts(q: Queryable): Promise<PolicyHost[]> {
  const r = await q.query<SelectorRow>(
    'SELECT id, hostname, os_id, os_version, tags, groups FROM host WHERE retired_at IS NULL ORDER BY id',
  );
  return r.rows.map(policyHost);
}

export interface SimHostRecord extends PolicyHost {
  readonly transport: HostRecord['transport'];
  readonly packageManager: HostRecord['packageManager'];
  readonly updates: HostRecord['updates'];
  /** Its finding class (findings.ts findingClass): hosts of one class have the same open findings here. */
  readonly findingClass: string | null;
  /** Its inventory's hash: hosts with one have the same packages, manager and offered updates. */
  readonly inventoryHash: string | null;
}

/** These live hosts (by id) with what decides whether and what a deployment can install, by id. */
export async function listSimHosts(q: Queryable, ids: readonly number[]): Promise<SimHostRecord[]> {
  const r = await q.query<
    SelectorRow &
      Pick<Row<'host'>, 'package_manager' | 'transport' | 'updates' | 'finding_class' | 'inventory_hash'>
  >(
    `SELECT id, hostname, os_id, os_version, tags, groups, package_manager, transport, updates, finding_class,
       inventory_hash
     FROM host WHERE retired_at IS NULL AND id = ANY($1::bigint[]) ORDER BY id`,
    [[...ids]],
  );
  return r.rows.map((h) => ({
    ...policyHost(h),
    transport: h.transport as HostRecord['transport'],
    packageManager: packageManagerOf(h.package_manager),
    updates: h.updates as HostRecord['updates'],
    findingClass: h.finding_class,
    inventoryHash: h.inventory_hash,
  }));
}

/** What a policy decides an open finding on (core's SimFinding) and its host, as the assessment stored it. */
export interface OpenFindingRecord extends SimFinding {
  readonly hostId: number;
}

/**
 * The open findings of these hosts, by host then id: only the fields of the
 * stored finding (findingJson) a policy decides on, never the whole JSON.
 */
export async function listOpenFindings(
  q: Queryable,
  hostIds: readonly number[],
): Promise<OpenFindingRecord[]> {
  if (hostIds.length === 0) return [];
  const r = await q.query<{
    host_id: number;
    advisory_id: string;
    aliases: string[] | null;
    package: string;
    source_package: string;
    installed_version: string;
    fixed_version: string | null;
    status: Finding['status'];
    severity: Finding['severity'];
    classification: Finding['advisory']['classification'];
    kev: boolean;
    published: string | null;
  }>(
    `SELECT f.host_id, d->'advisory'->>'id' AS advisory_id, d->'advisory'->'aliases' AS aliases,
       d->>'package' AS package, d->>'sourcePackage' AS source_package,
       d->>'installedVersion' AS installed_version, d->>'fixedVersion' AS fixed_version, d->>'status' AS status,
       d->>'severity' AS severity, d->'advisory'->>'classification' AS classification,
       coalesce(jsonb_typeof(d->'kev'), 'null') <> 'null' AS kev, p.published
     FROM finding f CROSS JOIN LATERAL (SELECT f.data AS d) j
     LEFT JOIN (SELECT a.id, min(a.published)::text AS published FROM advisory a
                WHERE a.id IN (SELECT advisory_id FROM finding
                               WHERE host_id = ANY($1::bigint[]) AND resolved_at IS NULL)
                GROUP BY a.id) p ON p.id = f.advisory_id
     WHERE f.host_id = ANY($1::bigint[]) AND f.resolved_at IS NULL ORDER BY f.host_id, f.id`,
    [[...hostIds]],
  );
  return r.rows.map((f) => ({
    hostId: Number(f.host_id),
    advisoryId: f.advisory_id,
    aliases: f.aliases ?? [],
    package: f.package,
    sourcePackage: f.source_package,
    installedVersion: f.installed_version,
    fixedVersion: f.fixed_version,
    status: f.status,
    severity: f.severity,
    classification: f.classification,
    kev: f.kev,
    published: f.published,
  }));
}

export interface ExceptionScope {
  readonly advisoryId: string | null;
  readonly package: string | null;
  readonly hostId: number | null;
  readonly groupName: string | null;
  readonly expiresAt: Date;
}

/** The approved exceptions not expired at `now`: what each covers. */
export async function listApprovedExceptionScopes(q: Queryable, now: Date): Promise<ExceptionScope[]> {
  const r = await q.query<
    Pick<Row<'risk_exception'>, 'advisory_id' | 'package' | 'host_id' | 'group_name' | 'expires_at'>
  >(
    `SELECT advisory_id, package, host_id, group_name, expires_at FROM risk_exception
      WHERE status = 'approved' AND expires_at > $1`,
    [now],
  );
  return r.rows.map((e) => ({
    advisoryId: e.advisory_id,
    package: e.package,
    hostId: e.host_id,
    groupName: e.group_name,
    expiresAt: e.expires_at,
  }));
}
