/**
 * PATCHLOOP_FEED_RELEASES=fleet in the server: the job worker starts a feed
 * sync by itself when the fleet runs a release the last sync did not keep,
 * and that sync brings the new release's advisories (real child process,
 * real store, both backends).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertHost } from '@patchloop/store';
import { fleetNeedsSync } from '../src/jobs/feed-sync.js';
import { BACKEND_NAMES, startHarness } from './harness.js';

const record = (id: string, releases: string[]) => ({
  id,
  modified: '2026-08-01T00:00:00Z',
  published: '2026-07-01T00:00:00Z',
  aliases: [],
  summary: id,
  details: '',
  affected: releases.map((r) => ({
    package: { ecosystem: `Debian:${r}`, name: 'openssl' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `3.0.${r}-1` }] }],
  })),
});

let mirror: string;
beforeAll(() => {
  mirror = mkdtempSync(join(tmpdir(), 'pl-releases-mirror-'));
  mkdirSync(join(mirror, 'osv', 'Debian'), { recursive: true });
  for (const r of [record('DEBIAN-CVE-2026-1', ['11', '12']), record('DEBIAN-CVE-2026-2', ['11'])])
    writeFileSync(join(mirror, 'osv', 'Debian', `${r.id}.json`), JSON.stringify(r));
});
afterAll(() => rmSync(mirror, { recursive: true, force: true }));

describe.each(BACKEND_NAMES)('kept releases in the server (%s)', (backend) => {
  it('a host on a new release starts a sync that brings its advisories', async () => {
    let clock = new Date('2026-09-01T00:00:00Z');
    const h = await startHarness(backend, {
      config: { feedMirror: mirror, feedReleases: { fleet: true, extra: [] } },
      now: () => clock,
    });
    const host = (name: string, versionId: string) =>
      insertHost(h.db, {
        machineId: null,
        hostname: name,
        transport: 'import',
        tags: [],
        os: { id: 'debian', versionId, codename: null, prettyName: null },
        now: clock,
      });
    const osvReleases = async () =>
      (
        await h.db.query<{ k: string }>(
          `SELECT advisory_id || ' ' || release AS k FROM advisory_package WHERE source = 'osv' ORDER BY 1`,
        )
      ).rows.map((r) => r.k);
    const syncJobs = async () =>
      (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM job WHERE kind = 'feed-sync'`)).rows[0]
        ?.n;
    try {
      await host('bookworm-1', '12');
      expect(await fleetNeedsSync(h.ctx)).toBe(true);
      await h.worker.drain();
      expect(await syncJobs()).toBe(1);
      expect(await osvReleases()).toEqual(['DEBIAN-CVE-2026-1 12']);
      expect(await fleetNeedsSync(h.ctx)).toBe(false);

      // Nothing new a minute later: no sync.
      clock = new Date(clock.getTime() + 61_000);
      await h.worker.drain();
      expect(await syncJobs()).toBe(1);

      await host('bullseye-1', '11');
      expect(await fleetNeedsSync(h.ctx)).toBe(true);
      clock = new Date(clock.getTime() + 61_000);
      await h.worker.drain();
      expect(await syncJobs()).toBe(2);
      expect(await osvReleases()).toEqual([
        'DEBIAN-CVE-2026-1 11',
        'DEBIAN-CVE-2026-1 12',
        'DEBIAN-CVE-2026-2 11',
      ]);
      expect(await fleetNeedsSync(h.ctx)).toBe(false);
    } finally {
      await h.close();
    }
  });
});
