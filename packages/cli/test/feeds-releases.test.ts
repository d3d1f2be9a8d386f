/**
 * PATCHLOOP_FEED_RELEASES=fleet end to end on the store, both backends: an
 * OSV sync served from 127.0.0.1 keeps only the releases the fleet's hosts
 * run (retired hosts left out); a host on a new release makes the next sync
 * a baseline (all.zip again, not increments), which brings that release.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OFFICIAL_BASES, syncFeed, type EndpointConfig } from '@patchloop/feeds';
import {
  createFeedStore,
  feedReleaseTargets,
  insertHost,
  openStore,
  setHostRetired,
  type Db,
  type DbConfig,
} from '@patchloop/store';
import { createDatabase } from '@patchloop/test-support/pg';
import { startFeedServer, type FeedServer } from './feed-server.js';

const FAST = { backoffMs: 5, attempts: 3, stallTimeoutMs: 5_000 };
const FLEET = { fleet: true, extra: [] };

const record = (id: string, releases: string[]) =>
  JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: '2026-08-01T00:00:00Z',
    published: '2026-07-01T00:00:00Z',
    aliases: [id.replace('DEBIAN-', '')],
    summary: `${id} in openssl`,
    details: '',
    affected: releases.map((r) => ({
      package: { ecosystem: `Debian:${r}`, name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `3.0.${r}-1` }] }],
    })),
  });

const RECORDS: Record<string, string[]> = {
  'DEBIAN-CVE-2026-0001': ['11', '12'],
  'DEBIAN-CVE-2026-0002': ['11', '12'],
  // Only Debian 11: left out while no host runs it.
  'DEBIAN-CVE-2026-0003': ['11'],
};

const BACKENDS: { name: string; config: (dir: string) => Promise<DbConfig> }[] = [
  { name: 'pglite', config: async (dir) => ({ dataDir: join(dir, 'data') }) },
  {
    name: 'postgres',
    config: async () => ({
      databaseUrl: await createDatabase(inject('pgUrl'), `feed_releases_${process.pid}_${Date.now()}`),
    }),
  },
];

describe.each(BACKENDS)('kept releases on $name', (backend) => {
  let dir: string;
  let db: Db;
  let server: FeedServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pl-releases-'));
    db = await openStore(await backend.config(dir));
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cfg = (): Partial<EndpointConfig> => ({
    osvEcosystems: ['Debian'],
    bases: { ...OFFICIAL_BASES, osv: `${server.base}/osv` },
  });
  const sync = async () =>
    syncFeed('osv', {
      sink: createFeedStore(db),
      endpointConfig: cfg(),
      download: FAST,
      releases: await feedReleaseTargets(db, FLEET),
    });
  const paths = (from: number) => server.requests.slice(from).map((r) => r.path);
  const releases = async () =>
    (
      await db.query<{ advisory_id: string; release: string }>(
        `SELECT advisory_id, release FROM advisory_package WHERE source = 'osv' ORDER BY advisory_id, release`,
      )
    ).rows.map((r) => `${r.advisory_id} ${r.release}`);
  const host = (name: string, versionId: string, codename: string) =>
    insertHost(db, {
      machineId: null,
      hostname: name,
      transport: 'import',
      tags: [],
      os: { id: 'debian', versionId, codename, prettyName: null },
      now: new Date(),
    });

  it('keeps the fleet’s releases, then takes the whole archive for a new one', async () => {
    server.route('/osv/Debian/all.zip', {
      body: Buffer.from(
        zipSync(
          Object.fromEntries(
            Object.entries(RECORDS).map(([id, r]) => [`${id}.json`, Buffer.from(record(id, r))]),
          ),
        ),
      ),
      validators: true,
    });
    server.route('/osv/Debian/modified_id.csv', {
      body: Buffer.from(
        Object.keys(RECORDS)
          .map((id) => `2026-08-01T00:00:00Z,${id}\n`)
          .join(''),
      ),
      validators: true,
    });
    await host('bookworm-1', '12', 'bookworm');
    const old = await host('buster-1', '10', 'buster');
    await setHostRetired(db, old.id, { by: 'test', reason: 'gone', at: new Date() });
    expect(await feedReleaseTargets(db, FLEET)).toEqual([
      { ecosystem: 'Debian', releases: ['12', 'bookworm'] },
    ]);

    // A fleet of Debian 12 only: no Debian 11 range is stored, the Debian 11-only record is left out.
    let from = server.requests.length;
    const first = await sync();
    expect(first).toMatchObject({ status: 'ok', added: 2, filtered: 1 });
    expect(paths(from)).toEqual(['/osv/Debian/modified_id.csv', '/osv/Debian/all.zip']);
    expect(first.endpoints).toEqual([{ endpoint: 'Debian', result: 'applied', via: 'baseline' }]);
    expect(await releases()).toEqual(['DEBIAN-CVE-2026-0001 12', 'DEBIAN-CVE-2026-0002 12']);

    // Same fleet, nothing new: the csv answers 304.
    from = server.requests.length;
    expect((await sync()).status).toBe('unchanged');
    expect(paths(from)).toEqual(['/osv/Debian/modified_id.csv']);

    // A Debian 11 host: the next sync is a baseline (all.zip, although unchanged) and brings Debian 11.
    await host('bullseye-1', '11', 'bullseye');
    from = server.requests.length;
    const widened = await sync();
    expect(widened.endpoints).toEqual([{ endpoint: 'Debian', result: 'applied', via: 'baseline' }]);
    expect(paths(from)).toEqual(['/osv/Debian/modified_id.csv', '/osv/Debian/all.zip']);
    expect(widened).toMatchObject({ added: 1, modified: 2, filtered: 0 });
    expect(await releases()).toEqual([
      'DEBIAN-CVE-2026-0001 11',
      'DEBIAN-CVE-2026-0001 12',
      'DEBIAN-CVE-2026-0002 11',
      'DEBIAN-CVE-2026-0002 12',
      'DEBIAN-CVE-2026-0003 11',
    ]);

    // Covered now: back to increments.
    from = server.requests.length;
    expect((await sync()).status).toBe('unchanged');
    expect(paths(from)).toEqual(['/osv/Debian/modified_id.csv']);
  });
});
