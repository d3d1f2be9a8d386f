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
 * Records that the live host with this id and machine id was seen now;
 * null when no such host (gone, retired, or another machine's credential).
 */
export async function recordHeartbeat(
  q: Queryable,
  id: number,
  machineId: string,
  now: Date,
): Promise<HostHeartbeat | null> {
  const r = await q.query<Pick<Row<'host'>, 'inventory_hash' | 'facts_hash' | 'agent_version'>>(
    `UPDATE host SET last_seen = $2 WHERE id = $1 AND machine_id = $3 AND retired_at IS NULL
     RETURNING inventory_hash, facts_hash, agent_version`,
    [id, now, machineId],
  );
  const row = r.rows[0];
  return row
    ? { inventoryHash: row.inventory_hash, factsHash: row.facts_hash, agentVersion: row.agent_version }
    : null;
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
