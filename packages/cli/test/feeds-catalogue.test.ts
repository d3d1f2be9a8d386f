/**
 * Whole catalogues (KEV, EPSS) cut short are refused, both backends: a KEV
 * file holding 10 of the entries its own `count` announces, and an EPSS file
 * cut at a line boundary (it parses cleanly) would each have replaced the
 * whole catalogue in use. They fail with PL_FEED_CATALOGUE_SHRANK and the
 * catalogue in use stays; `allowShrink` (feeds import --allow-shrink) takes
 * a smaller one on purpose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, openStore, type Db, type DbConfig } from '@patchloop/store';
import { createDatabase } from '@patchloop/test-support/pg';
import { fixtures } from './fleet-lab.js';

const BACKENDS: { name: string; config: (dir: string) => Promise<DbConfig> }[] = [
  { name: 'pglite', config: async (dir) => ({ dataDir: join(dir, 'data') }) },
  {
    name: 'postgres',
    config: async () => ({
      databaseUrl: await createDatabase(inject('pgUrl'), `feed_catalogue_${process.pid}_${Date.now()}`),
    }),
  },
];

describe.each(BACKENDS)('whole catalogues cut short on $name', (backend) => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pl-catalogue-'));
    db = await openStore(await backend.config(dir));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const records = async (source: string) =>
    (await createFeedStore(db).status()).find((s) => s.source === source)?.records ?? 0;

  it('KEV: a file with fewer entries than its count announces is refused', async () => {
    const full = join(fixtures, 'kev', 'known_exploited_vulnerabilities.json');
    const sink = createFeedStore(db);
    expect((await importFeed('kev', full, sink)).exitCode).toBe(0);
    const before = await records('kev');
    expect(before).toBeGreaterThan(1000);
    const doc = JSON.parse(readFileSync(full, 'utf8')) as { count: number; vulnerabilities: unknown[] };
    const cut = join(dir, 'kev-cut.json');
    writeFileSync(cut, JSON.stringify({ ...doc, vulnerabilities: doc.vulnerabilities.slice(0, 10) }));
    const r = await importFeed('kev', cut, sink);
    expect(r.exitCode).toBe(1);
    expect(await records('kev')).toBe(before);
    const s = (await sink.status()).find((x) => x.source === 'kev');
    expect(s).toMatchObject({ lastStatus: 'failed', lastErrorCode: 'PL_FEED_CATALOGUE_SHRANK' });
    expect(s?.lastError).toContain(`announces ${doc.count} entries but 10`);
  });

  it('EPSS: a file cut at a line boundary is refused; --allow-shrink takes it', async () => {
    const full = join(fixtures, 'epss', 'epss_scores-2026-08-16.csv');
    const sink = createFeedStore(db);
    expect((await importFeed('epss', full, sink)).exitCode).toBe(0);
    const before = await records('epss');
    expect(before).toBeGreaterThan(100_000);
    const lines = readFileSync(full, 'utf8').split('\n');
    const cut = join(dir, 'epss_scores-2026-08-16-cut.csv');
    writeFileSync(cut, `${lines.slice(0, Math.floor(lines.length / 3)).join('\n')}\n`);
    const refused = await importFeed('epss', cut, sink);
    expect(refused.exitCode).toBe(1);
    expect(await records('epss')).toBe(before);
    expect((await sink.status()).find((x) => x.source === 'epss')).toMatchObject({
      lastErrorCode: 'PL_FEED_CATALOGUE_SHRANK',
    });
    const taken = await importFeed('epss', cut, sink, { allowShrink: true });
    expect(taken.exitCode).toBe(0);
    expect(await records('epss')).toBeLessThan(before * 0.4);
  }, 120_000);
});
