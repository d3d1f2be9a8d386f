/**
 * A feed import killed mid-way leaves staged rows; the next server start
 * removes them (cleanAbandonedStaging) without touching the active data or
 * a live session. The killed import is a real process (the built store).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Advisory, ImportRunStart } from '@patchloop/core';
import { afterAll, describe, expect, it, inject } from 'vitest';
import type { Db, DbConfig } from '../db.js';
import { openStore } from '../open.js';
import { createDatabase } from '@patchloop/test-support/pg';
import { createFeedStore } from './feed-store.js';
import { cleanAbandonedStaging } from './staging.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

const advisory = (id: string): Advisory =>
  ({
    id,
    source: 'osv',
    aliases: [],
    related: [],
    published: '2024-01-02',
    modified: '2024-01-03T00:00:00Z',
    withdrawn: null,
    summary: id,
    details: '',
    classification: 'security',
    severity: null,
    affected: [
      {
        ecosystem: 'Debian',
        release: '12',
        package: `pkg-${id}`,
        packageKind: 'source',
        status: 'fixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }],
        versions: [],
        fixedVersion: '1.0',
        severity: null,
      },
    ],
    references: [],
    url: null,
  }) as Advisory;

const start = (source: ImportRunStart['source'] = 'osv'): ImportRunStart => ({
  source,
  origin: '/test',
  startedAt: new Date(),
});

/** Opens the store in a child process, stages one chunk of `ids`, says so, then waits to be killed. */
async function killMidSession(config: DbConfig, ids: string[]): Promise<number> {
  const script = `
    const store = await import(${JSON.stringify(pathToFileURL(DIST).href)});
    const db = await store.openStore(${JSON.stringify(config)});
    const s = await store.createFeedStore(db).begin({ source: 'osv', origin: '/killed', startedAt: new Date() });
    await s.applyChunk({ kind: 'advisories', records: ${JSON.stringify(ids.map(advisory))} });
    process.stdout.write('staged\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('staged') && resolve());
    child.once('exit', (code) => reject(new Error(`the import child exited (${code}): ${err}`)));
  });
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  return child.pid as number;
}

const stagedRows = async (db: Db) =>
  (
    await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM feed_stage_advisory) + (SELECT count(*) FROM feed_stage_event)
              + (SELECT count(*) FROM feed_stage_session) AS n`,
    )
  ).rows[0]?.n;

const BACKENDS: { name: string; config: () => Promise<DbConfig> }[] = [
  { name: 'pglite', config: async () => ({ dataDir: mkdtempSync(join(tmpdir(), 'pl-stage-kill-')) }) },
  {
    name: 'postgres',
    config: async () => ({
      databaseUrl: await createDatabase(inject('pgUrl'), `t_kill_${process.pid}_${Date.now()}`),
    }),
  },
];

describe.each(BACKENDS)('abandoned staging on $name', (backend) => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('a killed session’s rows are removed at the next start; active data and live sessions stay', async () => {
    expect(existsSync(DIST), `${DIST} is not built (npm run build)`).toBe(true);
    const config = await backend.config();
    if ('dataDir' in config) cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    let db = await openStore(config);
    await createFeedStore(db).apply(
      { kind: 'advisories', records: [advisory('OSV-1'), advisory('OSV-2')] },
      { ...start(), errors: [] },
    );
    const active = await db.query('SELECT id, content_hash FROM advisory ORDER BY id');
    // The embedded store belongs to one process at a time: the child opens it alone.
    if ('dataDir' in config) await db.close();
    const pid = await killMidSession(config, ['OSV-2', 'OSV-3', 'OSV-4']);
    if ('dataDir' in config) db = await openStore(config);
    cleanup.push(() => db.close());
    expect(await stagedRows(db)).toBeGreaterThan(0);

    // A live session of this process (another source: a new session clears its own source's), and
    // one of another replica that wrote a chunk just now.
    const live = await createFeedStore(db).begin(start('debian-dsa'));
    await live.applyChunk({ kind: 'advisories', records: [advisory('OSV-5')] });
    await db.query(
      `INSERT INTO feed_stage_session (id, source, started_at, owner_host, owner_pid, owner_ns, touched_at)
       VALUES ('other-replica', 'kev', now(), 'replica-b', $1, 'pid:[1]', now())`,
      [pid],
    );

    const removed = await cleanAbandonedStaging(db);
    expect(removed).toEqual([
      expect.objectContaining({
        source: 'osv',
        why: 'owner gone',
        owner: expect.stringContaining(`pid ${pid}`),
      }),
    ]);
    // OSV-3 and OSV-4 and their change events (OSV-2 was unchanged: not staged).
    expect(removed[0]?.rows).toBe(4);
    expect((await db.query('SELECT id, content_hash FROM advisory ORDER BY id')).rows).toEqual(active.rows);
    const left = await db.query<{ id: string }>('SELECT id FROM feed_stage_session ORDER BY id');
    expect(left.rows.map((r) => r.id)).toContain('other-replica');
    expect(left.rows).toHaveLength(2);

    // The live session still commits; the other replica's goes once it is silent past the bound.
    expect(await live.finish([])).toMatchObject({ added: 1 });
    await db.query(`UPDATE feed_stage_session SET touched_at = now() - interval '2 hours'`);
    expect(await cleanAbandonedStaging(db)).toEqual([
      { id: 'other-replica', source: 'kev', owner: `replica-b pid ${pid}`, why: 'stale', rows: 0 },
    ]);
    expect(await stagedRows(db)).toBe(0);
    expect((await db.query('SELECT source, id FROM advisory ORDER BY id')).rows).toEqual([
      { source: 'osv', id: 'OSV-1' },
      { source: 'osv', id: 'OSV-2' },
      { source: 'debian-dsa', id: 'OSV-5' },
    ]);
  });
});
