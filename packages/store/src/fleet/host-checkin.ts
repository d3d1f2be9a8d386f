/** A host's heartbeat and the lock a check-in holds while it changes the host's inventory. */
import type { Queryable } from '../db.js';
import type { Row } from '../row.js';

/** What a check-in compares the agent's report with. */
export interface HostHeartbeat {
  readonly inventoryHash: string | null;
  readonly factsHash: string | null;
  readonly agentVersion: string | null;
}

/**
 * Records that the live hosts with these ids and machine ids were seen, in one statement (the server
 * batches the check-ins arriving while one is written): by `${id}\0${machineId}`, what each such host
 * reports; absent when no such host (gone, retired, or another machine's credential). A host twice in
 * the list is updated once, with its latest time.
 */
export async function recordHeartbeats(
  q: Queryable,
  beats: readonly { readonly id: number; readonly machineId: string; readonly now: Date }[],
): Promise<Map<string, HostHeartbeat>> {
  if (beats.length === 0) return new Map();
  const r = await q.query<
    { id: number; machine_id: string } & Pick<Row<'host'>, 'inventory_hash' | 'facts_hash' | 'agent_version'>
  >(
    `UPDATE host h SET last_seen = b.now
     FROM (SELECT DISTINCT ON (id, machine_id) id, machine_id, now
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS t(id, machine_id, now)
           ORDER BY id, machine_id, now DESC) b
     WHERE h.id = b.id AND h.machine_id = b.machine_id AND h.retired_at IS NULL
     RETURNING h.id, h.machine_id, h.inventory_hash, h.facts_hash, h.agent_version`,
    [beats.map((b) => b.id), beats.map((b) => b.machineId), beats.map((b) => b.now)],
  );
  return new Map(
    r.rows.map((row) => [
      `${Number(row.id)}\u0000${row.machine_id}`,
      { inventoryHash: row.inventory_hash, factsHash: row.facts_hash, agentVersion: row.agent_version },
    ]),
  );
}

/** When the host was last seen (an offline import counts as seeing it). */
export async function markHostSeen(q: Queryable, id: number, now: Date): Promise<void> {
  await q.query('UPDATE host SET last_seen = $2 WHERE id = $1', [id, now]);
}

/**
 * Locks the host's row for the rest of the transaction (one check-in of a
 * host at a time changes its inventory); returns its inventory hash now.
 */
export async function lockHostInventory(tx: Queryable, id: number): Promise<string | null> {
  const r = await tx.query<Pick<Row<'host'>, 'inventory_hash'>>(
    'SELECT inventory_hash FROM host WHERE id = $1 FOR UPDATE',
    [id],
  );
  return r.rows[0]?.inventory_hash ?? null;
}
