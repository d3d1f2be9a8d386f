/**
 * What policies are evaluated against: the live hosts as selectors see
 * them, and for a simulation their updates, open findings and the approved
 * exceptions in force.
 */
import type { Finding, PolicyHost } from '@patchloop/core';
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
}

/** Every live host with what decides whether and what a deployment can install. */
export async function listSimHosts(q: Queryable): Promise<SimHostRecord[]> {
  const r = await q.query<SelectorRow & Pick<Row<'host'>, 'package_manager' | 'transport' | 'updates'>>(
    `SELECT id, hostname, os_id, os_version, tags, groups, package_manager, transport, updates
     FROM host WHERE retired_at IS NULL ORDER BY id`,
  );
  return r.rows.map((h) => ({
    ...policyHost(h),
    transport: h.transport as HostRecord['transport'],
    packageManager: packageManagerOf(h.package_manager),
    updates: h.updates as HostRecord['updates'],
  }));
}

export interface OpenFindingRecord {
  readonly hostId: number;
  /** core's Finding as the assessment stored it (findingJson). */
  readonly finding: Finding;
  /** The earliest publication date of its advisory, as text. */
  readonly published: string | null;
}

/** The open findings of every host (retired ones' too), by host then id. */
export async function listOpenFindings(q: Queryable): Promise<OpenFindingRecord[]> {
  const r = await q.query<Pick<Row<'finding'>, 'host_id' | 'data'> & { published: string | null }>(
    `SELECT f.host_id, f.data, (SELECT min(a.published)::text FROM advisory a WHERE a.id = f.advisory_id) AS published
     FROM finding f WHERE f.resolved_at IS NULL ORDER BY f.host_id, f.id`,
  );
  return r.rows.map((f) => ({ hostId: f.host_id, finding: f.data as Finding, published: f.published }));
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
