import type { Advisory, CveRecord, ChunkBatch, ImportRunStart } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { createFeedStore } from './feed-store.js';

function advisory(id: string, fixed: string, release = 'bookworm', extra: Partial<Advisory> = {}): Advisory {
  return {
    id,
    source: 'osv',
    aliases: [`CVE-2024-${id.length}`],
    related: [],
    published: '2024-01-02',
    modified: '2024-01-03T00:00:00Z',
    withdrawn: null,
    summary: `${id} summary`,
    details: '',
    classification: 'security',
    severity: null,
    affected: [
      {
        ecosystem: 'Debian',
        release,
        package: `pkg-${id}`,
        packageKind: 'source',
        status: 'fixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        versions: [],
        fixedVersion: fixed,
        severity: null,
      },
      {
        ecosystem: 'Debian',
        release: null,
        package: `other-${id}`,
        packageKind: 'source',
        status: 'unfixed',
        ranges: [],
        versions: [],
        fixedVersion: null,
        severity: null,
      },
    ],
    references: [],
    url: null,
    ...extra,
  } as Advisory;
}

function cve(id: string, score: number): CveRecord {
  return {
    id,
    state: 'PUBLISHED',
    published: '2024-01-01T00:00:00',
    modified: '2024-01-05',
    title: id,
    description: 'x',
    cvss: [
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        baseScore: score,
        severity: 'CRITICAL',
        source: 'cna',
      },
    ],
    cwes: [],
    references: [],
  } as unknown as CveRecord;
}

const start = (source: ImportRunStart['source']): ImportRunStart => ({
  source,
  origin: '/test/archive.zip',
  startedAt: new Date('2026-11-01T00:00:00Z'),
});

const ids = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `OSV-${String(from + i).padStart(5, '0')}`);

/** Every table a session may write, in a stable order, ids of serial columns left out. */
async function snapshot(db: Db) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    advisory: await q(
      `SELECT source, id, published, modified, withdrawn, classification, severity, summary, aliases,
              content_hash, doc, imported_at FROM advisory ORDER BY source, id`,
    ),
    advisoryPackage: await q(
      `SELECT source, advisory_id, ecosystem, release, package, status, fixed_version FROM advisory_package
       ORDER BY source, advisory_id, ecosystem, release, package`,
    ),
    cve: await q('SELECT * FROM cve ORDER BY id'),
    events: await q(
      `SELECT e.at, e.source, e.kind, e.subject, e.details, r.started_at AS run_started
       FROM change_event e LEFT JOIN import_run r ON r.id = e.import_id ORDER BY e.id`,
    ),
    runs: await q(
      `SELECT source, origin, started_at, finished_at, status, imported, skipped, unchanged, errors
       FROM import_run ORDER BY id`,
    ),
    sources: await q('SELECT * FROM feed_source ORDER BY source'),
  };
}

async function staged(db: Db) {
  const r = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM feed_stage_session) + (SELECT count(*) FROM feed_stage_advisory)
          + (SELECT count(*) FROM feed_stage_cve) + (SELECT count(*) FROM feed_stage_event) AS n`,
  );
  return Number(r.rows[0]?.n);
}

/** Three imports of the same source: a first one, one with changes and repeats across chunks, an unchanged one. */
const SCRIPT: { source: ImportRunStart['source']; chunks: ChunkBatch[] }[] = [
  {
    source: 'osv',
    chunks: [
      { kind: 'advisories', records: ids(700).map((id) => advisory(id, '1.0')) },
      { kind: 'advisories', records: ids(300, 700).map((id) => advisory(id, '1.0')) },
    ],
  },
  {
    source: 'osv',
    chunks: [
      // modified, unchanged and new records; OSV-00001 comes again in the next chunk, changed again
      {
        kind: 'advisories',
        records: [
          ...ids(10).map((id) => advisory(id, '2.0')),
          ...ids(10, 10).map((id) => advisory(id, '1.0')),
          ...ids(5, 2000).map((id) => advisory(id, '1.0')),
        ],
      },
      {
        kind: 'advisories',
        records: [
          advisory('OSV-00001', '3.0'),
          advisory('OSV-00002', '2.0'),
          advisory('OSV-02000', '1.0', 'trixie'),
        ],
      },
      {
        kind: 'advisories',
        mergeByRelease: true,
        records: [advisory('OSV-00003', '4.0', 'trixie'), advisory('OSV-03000', '1.0', 'sid')],
      },
    ],
  },
  { source: 'osv', chunks: [{ kind: 'advisories', records: ids(1000).map((id) => advisory(id, '1.0')) }] },
  {
    source: 'cve',
    chunks: [
      { kind: 'cve', records: ['CVE-1', 'CVE-2', 'CVE-3'].map((id) => cve(id, 9.8)) },
      { kind: 'cve', records: [cve('CVE-2', 5.0), cve('CVE-3', 9.8), cve('CVE-4', 7.5)] },
    ],
  },
];

describe.each(BACKENDS)('staged feed sessions on $name', (backend) => {
  const opened: { done: () => Promise<void> }[] = [];
  const open = async () => {
    const o = await backend.open();
    opened.push(o);
    return o.db;
  };
  let stagedDb: Db;
  let heldDb: Db;
  const clock = () => new Date('2026-11-01T00:00:00Z');
  beforeAll(async () => {
    stagedDb = await open();
    heldDb = await open();
  });
  afterAll(async () => {
    for (const o of opened) await o.done();
  });

  it('gives the counts, rows and events of the held transaction on the same input', async () => {
    const results: Record<'staged' | 'held', unknown[]> = { staged: [], held: [] };
    for (const mode of ['staged', 'held'] as const) {
      const db = mode === 'staged' ? stagedDb : heldDb;
      const store = createFeedStore(db, { now: clock, sessions: mode });
      for (const step of SCRIPT) {
        const s = await store.begin(start(step.source));
        for (const c of step.chunks) await s.applyChunk(c);
        results[mode].push(await s.finish([]));
      }
    }
    expect(results.staged).toEqual(results.held);
    // The script exercises every count: a first import, changes, repeats across chunks, an unchanged run.
    expect(results.staged).toEqual([
      { added: 1000, modified: 0, unchanged: 0, removed: 0, changeEvents: 1000 },
      { added: 6, modified: 13, unchanged: 11, removed: 0, changeEvents: 19 },
      { added: 0, modified: 10, unchanged: 990, removed: 0, changeEvents: 10 },
      { added: 4, modified: 1, unchanged: 1, removed: 0, changeEvents: 0 },
    ]);
    expect(await snapshot(stagedDb)).toEqual(await snapshot(heldDb));
    expect(await staged(stagedDb)).toBe(0);
  });

  it('aborted: leaves no trace and the previous data intact', async () => {
    const before = await snapshot(stagedDb);
    const store = createFeedStore(stagedDb, { now: clock, sessions: 'staged' });
    const s = await store.begin(start('osv'));
    await s.applyChunk({
      kind: 'advisories',
      records: [advisory('OSV-00000', '9.9'), advisory('OSV-09999', '1.0')],
    });
    expect(await staged(stagedDb)).toBeGreaterThan(0);
    await s.abort();
    expect(await snapshot(stagedDb)).toEqual(before);
    expect(await staged(stagedDb)).toBe(0);
  });

  it('a crashed session is cleared by the next one of its source, which then applies alone', async () => {
    const before = await snapshot(stagedDb);
    const crashed = await createFeedStore(stagedDb, { now: clock }).begin(start('osv'));
    await crashed.applyChunk({ kind: 'advisories', records: [advisory('OSV-08888', '1.0')] });
    // the process died here: no finish, no abort
    const next = await createFeedStore(stagedDb, { now: clock }).begin(start('osv'));
    expect(await snapshot(stagedDb)).toEqual(before);
    await next.applyChunk({ kind: 'advisories', records: [advisory('OSV-07777', '1.0')] });
    expect(await next.finish([])).toMatchObject({ added: 1 });
    const found = await stagedDb.query<{ id: string }>(
      `SELECT id FROM advisory WHERE id IN ('OSV-07777', 'OSV-08888')`,
    );
    expect(found.rows).toEqual([{ id: 'OSV-07777' }]);
    // the crashed session cannot commit what was cleared
    await expect(crashed.finish([])).rejects.toThrow(/cleared/);
    expect(await staged(stagedDb)).toBe(0);
  });

  /** Resolves with the query's answer, or 'blocked' when it waits longer than `ms`. */
  const answerWithin = async (db: Db, sql: string, ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const blocked = new Promise<'blocked'>((r) => (timer = setTimeout(() => r('blocked'), ms)));
    const answer = db.query<{ n: number }>(sql).then((r) => r.rows[0]?.n);
    try {
      return await Promise.race([answer, blocked]);
    } finally {
      clearTimeout(timer);
    }
  };

  it('answers other queries between two chunks, with the data as it was before the session', async () => {
    const count = `SELECT count(*)::int AS n FROM advisory WHERE source = 'osv'`;
    const before = (await stagedDb.query<{ n: number }>(count)).rows[0]?.n;
    const s = await createFeedStore(stagedDb, { now: clock, sessions: 'staged' }).begin(start('osv'));
    await s.applyChunk({ kind: 'advisories', records: ids(50, 5000).map((id) => advisory(id, '1.0')) });
    expect(await answerWithin(stagedDb, count, 2000)).toBe(before);
    await s.applyChunk({ kind: 'advisories', records: ids(50, 5050).map((id) => advisory(id, '1.0')) });
    await s.finish([]);
    expect((await stagedDb.query<{ n: number }>(count)).rows[0]?.n).toBe((before as number) + 100);
  });

  it.runIf(backend.name === 'pglite')(
    '(the held transaction makes PGlite queries wait: the check above can fail)',
    async () => {
      const s = await createFeedStore(heldDb, { now: clock, sessions: 'held' }).begin(start('osv'));
      await s.applyChunk({ kind: 'advisories', records: [advisory('OSV-06000', '1.0')] });
      const waiting = heldDb.query<{ n: number }>('SELECT 1 AS n');
      expect(await answerWithin(heldDb, 'SELECT 1 AS n', 500)).toBe('blocked');
      await s.finish([]);
      expect((await waiting).rows).toEqual([{ n: 1 }]);
    },
  );
});
