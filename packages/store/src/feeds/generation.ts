import type { Queryable } from '../db.js';

/**
 * A value that changes whenever an import run is recorded (the newest run's
 * id and the number of runs): caches of answers computed from feed data
 * compare it to know they are stale. null before any import.
 */
export async function feedGeneration(q: Queryable): Promise<string | null> {
  const r = await q.query<{ g: string | null }>(
    "SELECT max(id)::text || '/' || count(*)::text AS g FROM import_run",
  );
  return r.rows[0]?.g ?? null;
}
