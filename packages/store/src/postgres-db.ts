import pg from 'pg';
import type { CompiledQuery } from 'kysely';
import { redactUrl } from '@patchloop/core';
import type { Db, QueryResult, Queryable } from './db.js';

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

/**
 * Value types as PGlite returns them (see pglite-db.ts): int8 and numeric as
 * numbers, date as its 'YYYY-MM-DD' text (a calendar date has no time zone).
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === DATE) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  const query = async <R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> => {
    const r = await client.query({ text: sql, values: params as unknown[], types: typeParsers });
    return { rows: r.rows as R[], affectedRows: r.rowCount ?? 0 };
  };
  return {
    query,
    run: async <R>(q: CompiledQuery<R>) => (await query<R>(q.sql, q.parameters)).rows,
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

export async function openPostgres(databaseUrl: string, poolSize = 10): Promise<Db> {
  // Sessions in UTC, as PGlite's: timestamps and now() read the same on both.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, options: '-c TimeZone=UTC' });
  // Fail fast on a bad URL or an unreachable server.
  const client = await pool.connect();
  client.release();
  const q = queryable(pool);
  return {
    kind: 'postgres',
    location: redactUrl(databaseUrl),
    ...q,
    transaction: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn(queryable(c));
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}
