/**
 * Hosts: created at enrollment (or by an offline import), updated by each
 * check-in's facts, edited by people (tags, groups, criticality, exposure).
 */
import {
  releaseTargets,
  type AdvisoryTarget,
  type CanonicalUpdate,
  type Classification,
  type Criticality,
  type Environment,
  type FeedReleases,
  type OsIdentity,
  type PackageManager,
  type UserRisk,
} from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { Row } from '../row.js';
import { criticalityOf, environmentOf, packageManagerOf, userRiskOf } from './domain-values.js';

export interface HostFactsRow {
  readonly hostname: string;
  readonly os: {
    readonly id: string;
    readonly versionId: string | null;
    readonly codename: string | null;
    readonly prettyName: string | null;
  };
  readonly arch: string | null;
  readonly kernel: { readonly running: string | null; readonly newestInstalled: string | null };
  readonly reboot: { readonly required: boolean; readonly reasons: string[]; readonly packages: string[] };
}

/** An update the agent reported as installable, as stored with the host's inventory. */
export interface HostUpdate extends Omit<CanonicalUpdate, 'classification'> {
  readonly classification: Classification | null;
}

export interface HostRecord {
  readonly id: number;
  readonly machineId: string | null;
  readonly hostname: string;
  /** Another live host has the same hostname. */
  readonly duplicateName: boolean;
  readonly transport: 'agent' | 'ssh' | 'import';
  readonly os: HostFactsRow['os'];
  readonly arch: string | null;
  readonly kernel: HostFactsRow['kernel'];
  readonly reboot: HostFactsRow['reboot'];
  readonly agentVersion: string | null;
  readonly enrolledAt: Date;
  readonly lastSeen: Date | null;
  readonly lastInventoryAt: Date | null;
  readonly inventoryHash: string | null;
  readonly factsHash: string | null;
  readonly packageManager: PackageManager | null;
  readonly packageCount: number;
  /** The updates the agent reported as installable (null: not collected). */
  readonly updates: readonly HostUpdate[] | null;
  readonly tags: string[];
  readonly groups: string[];
  readonly criticality: Criticality;
  readonly environment: Environment | null;
  readonly internetFacing: boolean;
  readonly owner: string | null;
  readonly userRisk: UserRisk;
  readonly eol: Record<string, unknown> | null;
  readonly findingCounts: Record<string, number>;
  readonly assessedAt: Date | null;
  readonly assessmentError: string | null;
  /** Pending updates by kind at the last assessment; null when the updates are not known. */
  readonly pendingUpdates: { readonly security: number; readonly other: number } | null;
  /** core's patchStatus at the last assessment; null before the first one. */
  readonly patchStatus: string | null;
  readonly lastPatchedAt: Date | null;
  /** Set when the host was retired: kept for history, out of the current figures. */
  readonly retired: { readonly at: Date; readonly by: string; readonly reason: string | null } | null;
}

export const HOST_COLUMNS = `h.id, h.machine_id, h.hostname, h.transport, h.os_id, h.os_version, h.os_codename,
  h.os_pretty, h.arch, h.kernel_running, h.kernel_newest, h.reboot, h.agent_version, h.enrolled_at,
  h.last_seen, h.last_inventory_at, h.inventory_hash, h.facts_hash, h.package_manager, h.package_count,
  h.updates, h.tags, h.groups, h.criticality, h.environment, h.internet_facing, h.owner, h.user_risk, h.eol,
  h.finding_counts, h.assessed_at, h.assessment_error, h.updates_security, h.updates_other, h.patch_status,
  h.last_patched_at, h.retired_at, h.retired_by, h.retired_reason`;

/** Whether another live host has the same hostname (cloned VMs, `localhost`): hosts are told apart by id. */
const duplicateName = (t: string) =>
  `EXISTS (SELECT 1 FROM host d WHERE d.hostname = ${t}.hostname AND d.id <> ${t}.id AND d.retired_at IS NULL) AS duplicate_name`;
/** HOST_COLUMNS for `SELECT … FROM host h`. */
export const HOST_SELECT = `${HOST_COLUMNS}, ${duplicateName('h')}`;
/** HOST_COLUMNS for `INSERT/UPDATE host … RETURNING`. */
const HOST_RETURNING = `${HOST_COLUMNS.replace(/h\./g, '')}, ${duplicateName('host')}`;

/** A host row as HOST_SELECT / HOST_RETURNING read it. */
export type HostRow = Omit<Row<'host'>, 'reboot_required' | 'job_sequence'> & {
  readonly duplicate_name: boolean;
};

export function hostFromRow(r: HostRow): HostRecord {
  return {
    id: Number(r.id),
    machineId: r.machine_id,
    hostname: r.hostname,
    duplicateName: r.duplicate_name,
    transport: r.transport as HostRecord['transport'],
    os: {
      id: r.os_id ?? 'unknown',
      versionId: r.os_version,
      codename: r.os_codename,
      prettyName: r.os_pretty,
    },
    arch: r.arch,
    kernel: { running: r.kernel_running, newestInstalled: r.kernel_newest },
    reboot: r.reboot as HostRecord['reboot'],
    agentVersion: r.agent_version,
    enrolledAt: r.enrolled_at,
    lastSeen: r.last_seen,
    lastInventoryAt: r.last_inventory_at,
    inventoryHash: r.inventory_hash,
    factsHash: r.facts_hash,
    packageManager: packageManagerOf(r.package_manager),
    packageCount: r.package_count,
    // Written only by storeInventory, from the agent's validated updates.
    updates: r.updates as readonly HostUpdate[] | null,
    tags: r.tags,
    groups: r.groups,
    criticality: criticalityOf(r.criticality),
    environment: environmentOf(r.environment),
    internetFacing: r.internet_facing,
    owner: r.owner,
    userRisk: userRiskOf(r.user_risk),
    eol: r.eol as Record<string, unknown> | null,
    findingCounts: r.finding_counts as Record<string, number>,
    assessedAt: r.assessed_at,
    assessmentError: r.assessment_error,
    pendingUpdates:
      r.updates_security === null ? null : { security: r.updates_security, other: r.updates_other ?? 0 },
    patchStatus: r.patch_status,
    lastPatchedAt: r.last_patched_at,
    retired:
      r.retired_at === null ? null : { at: r.retired_at, by: r.retired_by ?? '', reason: r.retired_reason },
  };
}

/**
 * The one condition that keeps retired hosts out of current figures, on a
 * query over `host h` (hosts, and findings joined to their host).
 */
export const ACTIVE_HOST = 'h.retired_at IS NULL';

/** The same for rows that name a host by id without joining it (`f.host_id`). */
export function activeHostOf(column: string): string {
  return `NOT EXISTS (SELECT 1 FROM host r WHERE r.id = ${column} AND r.retired_at IS NOT NULL)`;
}

/** Retires a host (kept, out of current figures) or, with `null`, reinstates it; returns it as it is now. */
export async function setHostRetired(
  q: Queryable,
  id: number,
  retired: { at: Date; by: string; reason: string | null } | null,
): Promise<HostRecord | null> {
  const r = await q.query<HostRow>(
    `UPDATE host SET retired_at = $2, retired_by = $3, retired_reason = $4 WHERE id = $1
     RETURNING ${HOST_RETURNING}`,
    [id, retired?.at ?? null, retired?.by ?? null, retired?.reason ?? null],
  );
  return r.rows[0] ? hostFromRow(r.rows[0]) : null;
}

/**
 * Deletes a host: its row and everything that hangs off it (credentials,
 * inventory, findings, host-scoped exceptions, its deployment tasks). The
 * audit log keeps its events. Returns whether it existed.
 */
export async function deleteHost(q: Queryable, id: number): Promise<boolean> {
  const r = await q.query('DELETE FROM host WHERE id = $1', [id]);
  return r.affectedRows > 0;
}

export async function getHost(q: Queryable, id: number): Promise<HostRecord | null> {
  const r = await q.query<HostRow>(`SELECT ${HOST_SELECT} FROM host h WHERE h.id = $1`, [id]);
  return r.rows[0] ? hostFromRow(r.rows[0]) : null;
}

export async function getHostByMachineId(q: Queryable, machineId: string): Promise<HostRecord | null> {
  const r = await q.query<HostRow>(`SELECT ${HOST_SELECT} FROM host h WHERE h.machine_id = $1`, [machineId]);
  return r.rows[0] ? hostFromRow(r.rows[0]) : null;
}

export interface NewHost {
  readonly machineId: string | null;
  readonly hostname: string;
  readonly transport: HostRecord['transport'];
  readonly tags: readonly string[];
  readonly os?: HostFactsRow['os'] | undefined;
  readonly now: Date;
}

export async function insertHost(q: Queryable, h: NewHost): Promise<HostRecord> {
  const r = await q.query<HostRow>(
    `INSERT INTO host (machine_id, hostname, transport, tags, enrolled_at, os_id, os_version, os_codename, os_pretty)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9)
     RETURNING ${HOST_RETURNING}`,
    [
      h.machineId,
      h.hostname,
      h.transport,
      [...new Set(h.tags)].sort(),
      h.now,
      h.os?.id ?? null,
      h.os?.versionId ?? null,
      h.os?.codename ?? null,
      h.os?.prettyName ?? null,
    ],
  );
  return hostFromRow(r.rows[0] as HostRow);
}

/** Merges tags given at a re-enrollment into the host's tags. */
export async function addHostTags(q: Queryable, id: number, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  await q.query(
    `UPDATE host SET tags = ARRAY(SELECT DISTINCT t FROM unnest(tags || $2::text[]) t ORDER BY t) WHERE id = $1`,
    [id, [...tags]],
  );
}

/**
 * Adds and removes tags on many hosts: the hosts are locked for the rest of
 * the caller's transaction, and only those whose tags change are written.
 * Unknown ids are returned in `missing`, and then nothing is written.
 * Tags are kept unique and sorted as editHost keeps them.
 */
export async function retagHosts(
  q: Queryable,
  ids: readonly number[],
  change: { readonly add: readonly string[]; readonly remove: readonly string[] },
): Promise<{ missing: number[]; changed: { id: number; before: string[]; after: string[] }[] }> {
  const r = await q.query<{ id: number; tags: string[] }>(
    'SELECT id, tags FROM host WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
    [[...ids]],
  );
  const found = new Set(r.rows.map((row) => Number(row.id)));
  const missing = [...new Set(ids)].filter((id) => !found.has(id)).sort((a, b) => a - b);
  if (missing.length > 0) return { missing, changed: [] };
  const drop = new Set(change.remove);
  const changed = r.rows
    .map((row) => {
      const before = row.tags ?? [];
      const after = [...new Set([...before, ...change.add])].filter((t) => !drop.has(t)).sort();
      return { id: Number(row.id), before, after };
    })
    .filter((c) => c.before.length !== c.after.length || c.before.some((t, i) => t !== c.after[i]));
  if (changed.length > 0) {
    // Each host's new tags as a JSON array: unnest cannot carry an array per row.
    await q.query(
      `UPDATE host h SET tags = ARRAY(SELECT x FROM jsonb_array_elements_text(t.tags::jsonb) WITH ORDINALITY AS e(x, i) ORDER BY i)
       FROM unnest($1::bigint[], $2::text[]) AS t(id, tags) WHERE h.id = t.id`,
      [changed.map((c) => c.id), changed.map((c) => JSON.stringify(c.after))],
    );
  }
  return { missing: [], changed };
}

/** A heartbeat: when the host was last seen; returns what the check-in compares against. */
export async function touchHost(
  q: Queryable,
  id: number,
  now: Date,
  agentVersion: string,
): Promise<{ inventoryHash: string | null; factsHash: string | null } | null> {
  const r = await q.query<{ inventory_hash: string | null; facts_hash: string | null }>(
    `UPDATE host SET last_seen = $2, agent_version = $3 WHERE id = $1 RETURNING inventory_hash, facts_hash`,
    [id, now, agentVersion],
  );
  const row = r.rows[0];
  return row ? { inventoryHash: row.inventory_hash, factsHash: row.facts_hash } : null;
}

export async function updateHostFacts(
  q: Queryable,
  id: number,
  facts: HostFactsRow,
  factsHash: string,
): Promise<void> {
  await q.query(
    `UPDATE host SET hostname = $2, os_id = $3, os_version = $4, os_codename = $5, os_pretty = $6, arch = $7,
       kernel_running = $8, kernel_newest = $9, reboot_required = $10, reboot = $11::jsonb, facts_hash = $12
     WHERE id = $1`,
    [
      id,
      facts.hostname,
      facts.os.id,
      facts.os.versionId,
      facts.os.codename,
      facts.os.prettyName,
      facts.arch,
      facts.kernel.running,
      facts.kernel.newestInstalled,
      facts.reboot.required,
      JSON.stringify(facts.reboot),
      factsHash,
    ],
  );
}

export interface HostEdit {
  readonly tags?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly criticality?: string | undefined;
  readonly environment?: string | null | undefined;
  readonly internetFacing?: boolean | undefined;
  readonly owner?: string | null | undefined;
  readonly userRisk?: string | undefined;
}

/** Applies an edit; the columns are fixed here, never taken from the input's keys. */
export async function editHost(q: Queryable, id: number, edit: HostEdit): Promise<HostRecord | null> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (edit.tags !== undefined) set('tags', [...new Set(edit.tags)].sort(), '::text[]');
  if (edit.groups !== undefined) set('groups', [...new Set(edit.groups)].sort(), '::text[]');
  if (edit.criticality !== undefined) set('criticality', edit.criticality);
  if (edit.environment !== undefined) set('environment', edit.environment);
  if (edit.internetFacing !== undefined) set('internet_facing', edit.internetFacing);
  if (edit.owner !== undefined) set('owner', edit.owner);
  if (edit.userRisk !== undefined) set('user_risk', edit.userRisk);
  if (sets.length === 0) return getHost(q, id);
  const r = await q.query<HostRow>(
    `UPDATE host SET ${sets.join(', ')} WHERE id = $1 RETURNING ${HOST_RETURNING}`,
    params,
  );
  return r.rows[0] ? hostFromRow(r.rows[0]) : null;
}

export async function recordAssessment(
  q: Queryable,
  id: number,
  a: {
    eol: unknown;
    counts: Record<string, number>;
    now: Date;
    error: string | null;
    /** The patch state (recordPatchState's), written by the same statement. */
    patch?: PatchState;
  },
): Promise<void> {
  const sets = ['eol = $2::jsonb', 'finding_counts = $3::jsonb', 'assessed_at = $4', 'assessment_error = $5'];
  const params: unknown[] = [
    id,
    a.eol === null ? null : JSON.stringify(a.eol),
    JSON.stringify(a.counts),
    a.now,
    a.error,
  ];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (a.patch) {
    set('updates_security', a.patch.pending?.security ?? null);
    set('updates_other', a.patch.pending?.other ?? null);
    set('patch_status', a.patch.status);
  }
  await q.query(`UPDATE host SET ${sets.join(', ')} WHERE id = $1`, params);
}

export interface PatchState {
  readonly pending: { security: number; other: number } | null;
  readonly status: string;
}

/** What an assessment says of the host's pending updates, and the patch status core gives them. */
export async function recordPatchState(q: Queryable, id: number, s: PatchState): Promise<void> {
  await q.query(
    'UPDATE host SET updates_security = $2, updates_other = $3, patch_status = $4 WHERE id = $1',
    [id, s.pending?.security ?? null, s.pending?.other ?? null, s.status],
  );
}

/** Every host not retired (assess-all). */
export async function allHostIds(q: Queryable): Promise<number[]> {
  const r = await q.query<{ id: number }>(`SELECT id FROM host h WHERE ${ACTIVE_HOST} ORDER BY id`);
  return r.rows.map((row) => Number(row.id));
}

/**
 * The distinct OS releases of the hosts not retired (os-release ID,
 * VERSION_ID, codename): what PATCHLOOP_FEED_RELEASES=fleet keeps, mapped to
 * advisory releases by core's releaseTargets.
 */
export async function fleetOsReleases(q: Queryable): Promise<OsIdentity[]> {
  const r = await q.query<{ os_id: string; os_version: string | null; os_codename: string | null }>(
    `SELECT DISTINCT h.os_id, h.os_version, h.os_codename FROM host h
     WHERE ${ACTIVE_HOST} AND h.os_id IS NOT NULL
     ORDER BY h.os_id, h.os_version, h.os_codename`,
  );
  return r.rows.map((row) => ({
    id: row.os_id,
    versionId: row.os_version ?? '',
    codename: row.os_codename,
    prettyName: null,
  }));
}

/**
 * The advisory releases a feed import keeps for a PATCHLOOP_FEED_RELEASES
 * setting: the fleet's (when asked) and the configured ones; null keeps all.
 */
export async function feedReleaseTargets(
  q: Queryable,
  releases: FeedReleases | null,
): Promise<AdvisoryTarget[] | null> {
  if (releases === null) return null;
  return releaseTargets([...(releases.fleet ? await fleetOsReleases(q) : []), ...releases.extra]);
}

/** The agent version a host last checked in with (written only when it changes). */
export async function setHostAgentVersion(q: Queryable, id: number, agentVersion: string): Promise<void> {
  await q.query('UPDATE host SET agent_version = $2 WHERE id = $1', [id, agentVersion]);
}
