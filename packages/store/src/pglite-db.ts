import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { CompiledQuery } from 'kysely';
import type { Db, QueryResult, Queryable } from './db.js';
import { acquireStoreLock } from './store-lock.js';

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function queryable(pg: PgliteLike): Queryable {
  const query = async <R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> => {
    const r = await pg.query<R>(sql, params as unknown[]);
    return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
  };
  return {
    query,
    run: async <R>(q: CompiledQuery<R>) => (await query<R>(q.sql, q.parameters)).rows,
    exec: async (sql: string) => {
      await pg.exec(sql);
    },
  };
}

/**
 * Opens (creating if needed) the embedded store in `dataDir`, for this process
 * alone: another process holding it is a PL_STORE_IN_USE refusal (store-lock.ts).
 */
export async function openPglite(dataDir: string): Promise<Db> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = acquireStoreLock(dir);
  let pg: PGlite;
  try {
    // PGlite's session time zone is UTC; postgres-db.ts sets the same.
    pg = await PGlite.create(dir, {
      // Same value types as the PostgreSQL driver is configured for.
      parsers: { [types.NUMERIC]: (v: string) => Number(v), [types.DATE]: (v: string) => v },
    });
  } catch (e) {
    lock.release();
    throw e;
  }
  const q = queryable(pg);
  return {
    kind: 'pglite',
    location: dir,
    ...q,
    transaction: (fn) => pg.transaction((tx) => fn(queryable(tx))),
    announce: (url) => lock.update({ url }),
    close: async () => {
      try {
        await pg.close();
      } finally {
        lock.release();
      }
    },
  };
}
