import pg from 'pg';
import { PatchloopError, redactUrl } from '@patchloop/core';
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

/** SQLSTATEs of a lost or refused connection: admin/crash shutdown, starting up, class 08. */
const LOST_STATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const LOST_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const LOST_MESSAGE =
  /Connection terminated|connection timeout|Client has encountered a connection error|Connection ended/i;

/** Whether an error means the database could not be reached or the connection broke (not a bad query). */
export function isConnectionLost(e: unknown): boolean {
  if (e instanceof PatchloopError) return e.code === 'PL_DB_UNAVAILABLE';
  const err = e as { code?: unknown; message?: unknown } | null;
  if (!err) return false;
  if (typeof err.code === 'string' && (LOST_STATES.has(err.code) || LOST_ERRNOS.has(err.code))) return true;
  return typeof err.message === 'string' && LOST_MESSAGE.test(err.message);
}

export interface PostgresOptions {
  readonly poolSize?: number;
  /**
   * How long a query waits for the database to be reachable again (a
   * restart, a failover) before it fails with PL_DB_UNAVAILABLE. Default 15 s.
   */
  readonly retryWindowMs?: number;
  /** How long opening waits for a database that is not up yet (default 0: fail at once). */
  readonly waitMs?: number;
  /** Told each time opening or a query waits for the database (for a log line). */
  readonly onWait?: (reason: string, attempt: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function unavailable(where: string, e: unknown): PatchloopError {
  return new PatchloopError(
    'PL_DB_UNAVAILABLE',
    `the database at ${where} is unreachable (${(e as Error).message}); retry shortly`,
  );
}

/** A read: safe to send again when the connection broke with its answer on the way. */
const READ_ONLY = /^\s*(SELECT|SHOW|VALUES)\b/i;
const WRITES = /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|NEXTVAL|SETVAL|pg_advisory)\b/i;
const isRead = (sql: string) => READ_ONLY.test(sql) && !WRITES.test(sql);

class PgStore {
  readonly where: string;
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    private readonly opts: PostgresOptions,
  ) {
    this.where = redactUrl(databaseUrl);
    // Sessions in UTC, as PGlite's: timestamps and now() read the same on both.
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: opts.poolSize ?? 10,
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    // An idle connection that breaks (restart, pg_terminate_backend, idle_session_timeout):
    // the pool drops it and the next query opens another. Without a listener it would end the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * A connection, waiting (backoff up to 2 s) while the database is
   * unreachable, for at most `windowMs`. The client carries an error
   * listener while checked out: a connection that breaks between queries
   * must not end the process.
   */
  async connect(windowMs: number): Promise<{ client: pg.PoolClient; release: (broken?: boolean) => void }> {
    const until = Date.now() + windowMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await this.pool.connect();
        const onError = () => undefined;
        client.on('error', onError);
        return {
          client,
          release: (broken) => {
            client.removeListener('error', onError);
            client.release(broken === true ? true : undefined);
          },
        };
      } catch (e) {
        if (!isConnectionLost(e)) throw e;
        if (Date.now() >= until) throw unavailable(this.where, e);
        this.opts.onWait?.((e as Error).message, attempt);
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  get window(): number {
    return this.opts.retryWindowMs ?? 15_000;
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const until = Date.now() + this.window;
    for (;;) {
      const c = await this.connect(Math.max(0, until - Date.now()));
      try {
        const r = await c.client.query({ text: sql, values: params as unknown[], types: typeParsers });
        c.release();
        return { rows: r.rows as R[], affectedRows: r.rowCount ?? 0 };
      } catch (e) {
        const lost = isConnectionLost(e);
        c.release(lost);
        if (!lost) throw e;
        // A write may have been applied before the answer was lost: the caller decides.
        if (!isRead(sql) || Date.now() >= until) throw unavailable(this.where, e);
      }
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const until = Date.now() + this.window;
    for (;;) {
      const c = await this.connect(Math.max(0, until - Date.now()));
      let committing = false;
      try {
        await c.client.query('BEGIN');
        const result = await fn(clientQueryable(c.client));
        committing = true;
        await c.client.query('COMMIT');
        c.release();
        return result;
      } catch (e) {
        const lost = isConnectionLost(e);
        if (!lost) await c.client.query('ROLLBACK').catch(() => undefined);
        c.release(lost);
        if (!lost) throw e;
        // Broken before COMMIT was sent: the server rolled it back, so it runs again in full.
        // Broken during COMMIT: it may or may not have committed; the caller is told.
        if (committing || Date.now() >= until) throw unavailable(this.where, e);
      }
    }
  }

  async exec(sql: string): Promise<void> {
    const c = await this.connect(this.window);
    try {
      await c.client.query(sql);
      c.release();
    } catch (e) {
      const lost = isConnectionLost(e);
      c.release(lost);
      throw lost ? unavailable(this.where, e) : e;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function clientQueryable(client: pg.PoolClient): Queryable {
  const query = async <R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> => {
    const r = await client.query({ text: sql, values: params as unknown[], types: typeParsers });
    return { rows: r.rows as R[], affectedRows: r.rowCount ?? 0 };
  };
  return {
    query,
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

/**
 * Opens a pool on PostgreSQL. A database that is not up yet is waited for
 * (`waitMs`); a wrong password or database name fails at once. Afterwards a
 * connection that breaks (restart, failover, terminated backend) never ends
 * the process: reads and transactions broken before their commit are run
 * again once the database answers (within `retryWindowMs`), anything else
 * fails with PL_DB_UNAVAILABLE (HTTP 503).
 */
export async function openPostgres(databaseUrl: string, opts: PostgresOptions = {}): Promise<Db> {
  const s = new PgStore(databaseUrl, opts);
  try {
    // Only an unreachable server is waited for; a wrong password or database name fails at once.
    const c = await s.connect(opts.waitMs ?? 0);
    c.release();
  } catch (e) {
    await s.close().catch(() => undefined);
    throw e;
  }
  return {
    kind: 'postgres',
    location: s.where,
    query: (sql, params) => s.query(sql, params),
    exec: (sql) => s.exec(sql),
    transaction: (fn) => s.transaction(fn),
    close: () => s.close(),
  };
}
