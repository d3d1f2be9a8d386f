import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../test/backends.js';
import type { Db } from './db.js';
import { loadMigrations, migrate, schemaVersion } from './migrate.js';
import { openStore, resolveDbConfig } from './open.js';

describe.each(BACKENDS)('Db on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());

  it('has applied every migration, and a second migrate applies none', async () => {
    expect(db.kind).toBe(backend.name);
    expect(await schemaVersion(db)).toBe(loadMigrations().at(-1)?.version);
    expect(await migrate(db)).toEqual([]);
  });

  it('runs parameterized queries with the same value types', async () => {
    const r = await db.query<{ n: number; t: string; a: string[]; j: { x: number }; big: number }>(
      `SELECT $1::int AS n, $2::text AS t, $3::text[] AS a, '{"x":1}'::jsonb AS j, 9007199254740::int8 AS big`,
      [42, 'hello', ['a', 'b']],
    );
    expect(r.rows).toEqual([{ n: 42, t: 'hello', a: ['a', 'b'], j: { x: 1 }, big: 9007199254740 }]);
  });

  it('reads dates as YYYY-MM-DD text and timestamps as UTC instants, on both backends', async () => {
    const r = await db.query<{ d: string; t: Date; n: string }>(
      `SELECT '2024-01-01'::date AS d, '2024-01-01 12:00:00'::timestamptz AS t, current_setting('TimeZone') AS n`,
    );
    expect(r.rows[0]?.d).toBe('2024-01-01');
    expect(r.rows[0]?.t.toISOString()).toBe('2024-01-01T12:00:00.000Z');
    expect(r.rows[0]?.n).toBe('UTC');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO feed_source (source, records) VALUES ('kev', 1)`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`UPDATE feed_source SET records = 99 WHERE source = 'kev'`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await db.query<{ records: number }>(`SELECT records FROM feed_source WHERE source = 'kev'`);
    expect(r.rows).toEqual([{ records: 1 }]);
  });

  it("keeps PostgreSQL's error fields, and a failed statement inside a transaction rolls it back", async () => {
    await db.query(`INSERT INTO feed_source (source, records) VALUES ('epss', 1) ON CONFLICT DO NOTHING`);
    const err = await db
      .query(`INSERT INTO feed_source (source, records) VALUES ('epss', 2)`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('23505');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`UPDATE feed_source SET records = 7 WHERE source = 'epss'`);
        await tx.query(`SELECT 1/0`);
      }),
    ).rejects.toThrow(/division by zero/);
    const r = await db.query<{ records: number }>(`SELECT records FROM feed_source WHERE source = 'epss'`);
    expect(r.rows).toEqual([{ records: 1 }]);
  });

  it("keeps this thread's event loop turning while a long statement runs", async () => {
    // On PGlite the statement runs on the database's own thread (pglite-worker.ts);
    // run on this thread, no timer could fire until it ended.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = Date.now();
    try {
      await db.query(
        `SELECT count(*) FROM generate_series(1, 3000000) a, generate_series(1, 2) b WHERE a % 7 = b`,
      );
    } finally {
      clearInterval(timer);
    }
    const elapsed = Date.now() - started;
    // Only meaningful when the statement took a while; it takes ~1 s here.
    if (elapsed >= 200) expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('bulk-inserts through unnest and reports affected rows', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `CVE-2024-${10000 + i}`);
    const r = await db.query(
      'INSERT INTO epss (cve_id, epss, percentile) SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[])',
      [ids, ids.map(() => 0.5), ids.map(() => 0.25)],
    );
    expect(r.affectedRows).toBe(5000);
    const c = await db.query<{ n: number; s: number }>('SELECT count(*)::int AS n, sum(epss) AS s FROM epss');
    expect(c.rows[0]).toEqual({ n: 5000, s: 2500 });
  });
});

describe('resolveDbConfig', () => {
  it('prefers PATCHLOOP_DATABASE_URL, then --data-dir, PATCHLOOP_DATA_DIR, ./patchloop-data', () => {
    expect(resolveDbConfig({ PATCHLOOP_DATABASE_URL: 'postgres://u@h/db' })).toEqual({
      databaseUrl: 'postgres://u@h/db',
    });
    expect(resolveDbConfig({ PATCHLOOP_DATA_DIR: '/x' }, { dataDir: '/y' })).toEqual({ dataDir: '/y' });
    expect(resolveDbConfig({ PATCHLOOP_DATA_DIR: '/x' })).toEqual({ dataDir: '/x' });
    expect(resolveDbConfig({})).toEqual({ dataDir: './patchloop-data' });
  });

  it('rejects a URL that is not PostgreSQL, without echoing its password', () => {
    expect(() => resolveDbConfig({ PATCHLOOP_DATABASE_URL: 'mysql://u:secret@h/db' })).toThrowError(
      /PL_DB_CONFIG_INVALID|must be a postgres/,
    );
    try {
      resolveDbConfig({ PATCHLOOP_DATABASE_URL: 'mysql://u:secret@h/db' });
    } catch (e) {
      expect(String(e)).not.toContain('secret');
    }
  });
});

describe('opening a store', () => {
  it('names an unreachable PostgreSQL without its password (unavailable, not misconfigured)', async () => {
    const err = await openStore({ databaseUrl: 'postgres://u:s3cret@127.0.0.1:1/db?password=s3cret' }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'PL_DB_UNAVAILABLE' });
    expect(String(err.message)).toContain('postgres://u:***@127.0.0.1:1/db?password=***');
    expect(String(err.message)).not.toContain('s3cret');
  });
});
