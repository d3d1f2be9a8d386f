/**
 * Attempt counters shared by every replica (see the server's auth/attempt-throttle.ts):
 * one row per key, the attempts counted since its window started.
 */
import type { Queryable } from '../db.js';

export interface ThrottleRow {
  readonly key: string;
  readonly attempts: number;
  readonly windowStart: Date;
}

/**
 * The rows of `keys`, created (no attempts, window starting `now`) when missing, and
 * locked until the transaction ends: concurrent attempts on one key queue here.
 */
export async function lockThrottleRows(
  tx: Queryable,
  keys: readonly string[],
  now: Date,
): Promise<ThrottleRow[]> {
  // Sorted: two transactions lock shared keys in the same order (no deadlock).
  const sorted = [...new Set(keys)].sort();
  await tx.query(
    `INSERT INTO auth_throttle (key, attempts, window_start)
     SELECT k, 0, $2 FROM unnest($1::text[]) AS k ORDER BY k
     ON CONFLICT (key) DO NOTHING`,
    [sorted, now],
  );
  const r = await tx.query<{ key: string; attempts: number; window_start: string | Date }>(
    'SELECT key, attempts, window_start FROM auth_throttle WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE',
    [sorted],
  );
  return r.rows.map((row) => ({
    key: row.key,
    attempts: Number(row.attempts),
    windowStart: new Date(row.window_start),
  }));
}

export async function saveThrottleRows(tx: Queryable, rows: readonly ThrottleRow[]): Promise<void> {
  for (const row of rows) {
    await tx.query('UPDATE auth_throttle SET attempts = $2, window_start = $3 WHERE key = $1', [
      row.key,
      row.attempts,
      row.windowStart,
    ]);
  }
}

/** Forgets the counters whose window started before `before` (they no longer refuse anything). */
export async function pruneThrottleRows(q: Queryable, before: Date): Promise<number> {
  const r = await q.query('DELETE FROM auth_throttle WHERE window_start < $1', [before]);
  return r.affectedRows;
}
