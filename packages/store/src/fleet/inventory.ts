/**
 * Host inventories. Packages are stored once per distinct version
 * (package_version) and linked to hosts (host_package), so 50,000 hosts that
 * share most package versions share most rows; a diff writes only what changed.
 */
import type { InstalledPackage } from '@patchloop/core';
import type { Queryable } from '../db.js';
import type { HostUpdate } from './hosts.js';

export interface StoredPackage extends InstalledPackage {
  readonly arch: string;
}

/**
 * Last patched: the time of the inventory that first showed an installed
 * package at another version ($7: some did; $6: now). An install of a new
 * package or a removal is not a patch.
 */
const LAST_PATCHED = 'last_patched_at = CASE WHEN $7 THEN $6 ELSE last_patched_at END';

export interface InventoryState {
  readonly manager: string;
  readonly packages: readonly InstalledPackage[];
  readonly updates: readonly HostUpdate[] | null;
  readonly hash: string;
}

type PvRow = {
  id: number;
  name: string;
  version: string;
  arch: string;
  source_name: string;
  source_version: string;
  vendor: string;
  epoch_known: boolean;
};

function fromRow(r: PvRow): StoredPackage {
  const p = {
    name: r.name,
    version: r.version,
    arch: r.arch,
    sourceName: r.source_name,
    sourceVersion: r.source_version,
    vendor: r.vendor === '' ? null : r.vendor,
  };
  return r.epoch_known ? p : { ...p, epochKnown: false };
}

export async function loadHostPackages(q: Queryable, hostId: number): Promise<StoredPackage[]> {
  const r = await q.query<PvRow>(
    `SELECT pv.id, pv.name, pv.version, pv.arch, pv.source_name, pv.source_version, pv.vendor, pv.epoch_known
     FROM host_package hp JOIN package_version pv ON pv.id = hp.package_id
     WHERE hp.host_id = $1 ORDER BY pv.name, pv.arch`,
    [hostId],
  );
  return r.rows.map(fromRow);
}

/** Ids of the package versions given, inserting the ones not yet known. */
async function packageIds(q: Queryable, manager: string, packages: readonly InstalledPackage[]) {
  if (packages.length === 0) return [];
  const cols = {
    name: packages.map((p) => p.name),
    version: packages.map((p) => p.version),
    arch: packages.map((p) => p.arch ?? ''),
    sourceName: packages.map((p) => p.sourceName),
    sourceVersion: packages.map((p) => p.sourceVersion),
    vendor: packages.map((p) => p.vendor ?? ''),
    epochKnown: packages.map((p) => p.epochKnown !== false),
  };
  const args = [
    manager,
    cols.name,
    cols.version,
    cols.arch,
    cols.sourceName,
    cols.sourceVersion,
    cols.vendor,
    cols.epochKnown,
  ];
  const input = `SELECT DISTINCT $1::text AS manager, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[],
      $6::text[], $7::text[], $8::boolean[]) AS t(name, version, arch, source_name, source_version, vendor, epoch_known)`;
  await q.query(
    `INSERT INTO package_version (manager, name, version, arch, source_name, source_version, vendor, epoch_known)
     ${input} ON CONFLICT DO NOTHING`,
    args,
  );
  const r = await q.query<{ id: number }>(
    `SELECT pv.id FROM package_version pv JOIN (${input}) i USING (manager, name, version, arch, source_name,
       source_version, vendor, epoch_known)`,
    args,
  );
  return r.rows.map((row) => Number(row.id));
}

export interface InventoryDiff {
  readonly manager: string;
  /** New packages and new versions of installed ones. */
  readonly added: readonly InstalledPackage[];
  /** Packages gone, by name and arch. */
  readonly removed: readonly { readonly name: string; readonly arch: string | null }[];
  readonly updates: readonly HostUpdate[] | null;
  readonly hash: string;
  /** How many packages the host has after the diff. */
  readonly packageCount: number;
}

/**
 * Applies a diff to the host's stored inventory, writing only the links of
 * the packages it names (a heartbeat's one-package upgrade does not rewrite
 * the host's 900 links). Call inside a transaction, after checking that the
 * diff applies (the caller re-hashes the result).
 */
export async function storeInventoryDiff(
  q: Queryable,
  hostId: number,
  d: InventoryDiff,
  now: Date,
): Promise<{ added: number; removed: number }> {
  const gone = [...d.removed, ...d.added];
  // Links of added packages that existed before are version changes: the host was patched.
  const removed = await q.query<{ removed: number; changed: number }>(
    `WITH gone AS (
       DELETE FROM host_package hp USING package_version pv
       WHERE hp.host_id = $1 AND pv.id = hp.package_id
         AND (pv.name, pv.arch) IN (SELECT * FROM unnest($2::text[], $3::text[]))
       RETURNING pv.name, pv.arch)
     SELECT count(*)::int AS removed,
       count(*) FILTER (WHERE (name, arch) IN (SELECT * FROM unnest($4::text[], $5::text[])))::int AS changed
     FROM gone`,
    [
      hostId,
      gone.map((p) => p.name),
      gone.map((p) => p.arch ?? ''),
      d.added.map((p) => p.name),
      d.added.map((p) => p.arch ?? ''),
    ],
  );
  const changed = removed.rows[0]?.changed ?? 0;
  const ids = await packageIds(q, d.manager, d.added);
  const added = await q.query(
    `INSERT INTO host_package (host_id, package_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
    [hostId, ids],
  );
  await q.query(
    `UPDATE host SET inventory_hash = $2, package_manager = $3, package_count = $4, updates = $5::jsonb,
       last_inventory_at = $6, ${LAST_PATCHED} WHERE id = $1`,
    [
      hostId,
      d.hash,
      d.manager,
      d.packageCount,
      d.updates === null ? null : JSON.stringify(d.updates),
      now,
      changed > 0,
    ],
  );
  return { added: added.affectedRows, removed: removed.rows[0]?.removed ?? 0 };
}

/**
 * Makes the host's stored inventory equal to `state` (writing only the
 * links that changed) and records its hash. Call inside a transaction.
 */
export async function storeInventory(
  q: Queryable,
  hostId: number,
  state: InventoryState,
  now: Date,
): Promise<{ added: number; removed: number }> {
  const ids = await packageIds(q, state.manager, state.packages);
  // Links removed whose package (name, arch) is still installed are version changes: the host was patched.
  const removed = await q.query<{ removed: number; changed: number }>(
    `WITH gone AS (
       DELETE FROM host_package WHERE host_id = $1 AND NOT (package_id = ANY($2::bigint[])) RETURNING package_id)
     SELECT count(*)::int AS removed,
       count(*) FILTER (WHERE (pv.name, pv.arch) IN (SELECT * FROM unnest($3::text[], $4::text[])))::int AS changed
     FROM gone JOIN package_version pv ON pv.id = gone.package_id`,
    [hostId, ids, state.packages.map((p) => p.name), state.packages.map((p) => p.arch ?? '')],
  );
  const changed = removed.rows[0]?.changed ?? 0;
  const added = await q.query(
    `INSERT INTO host_package (host_id, package_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
    [hostId, ids],
  );
  await q.query(
    `UPDATE host SET inventory_hash = $2, package_manager = $3, package_count = $4, updates = $5::jsonb,
       last_inventory_at = $6, ${LAST_PATCHED} WHERE id = $1`,
    [
      hostId,
      state.hash,
      state.manager,
      state.packages.length,
      state.updates === null ? null : JSON.stringify(state.updates),
      now,
      changed > 0,
    ],
  );
  return { added: added.affectedRows, removed: removed.rows[0]?.removed ?? 0 };
}
