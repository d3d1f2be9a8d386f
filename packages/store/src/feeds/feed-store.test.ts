import type { Advisory, FeedRecordError, ImportRunInfo, KevEntry } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { createFeedStore } from './feed-store.js';

function advisory(id: string, fixed: string, extra: Partial<Advisory> = {}): Advisory {
  return {
    id,
    source: 'debian-dsa',
    aliases: ['CVE-2020-1967'],
    related: [],
    published: '2020-04-21',
    modified: '2020-04-21',
    withdrawn: null,
    summary: 'openssl - security update',
    details: '',
    classification: 'security',
    severity: null,
    affected: [
      {
        ecosystem: 'Debian',
        release: 'buster',
        package: 'openssl',
        packageKind: 'source',
        status: 'fixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        versions: [],
        fixedVersion: fixed,
        severity: null,
      },
    ],
    references: [],
    url: `https://security-tracker.debian.org/tracker/${id}`,
    ...extra,
  };
}

const run = (source: ImportRunInfo['source'], errors: FeedRecordError[] = []): ImportRunInfo => ({
  source,
  origin: '/test',
  startedAt: new Date('2026-11-01T00:00:00Z'),
  errors,
});

const kev = (cveId: string, dueDate = '2024-01-01'): KevEntry => ({
  cveId,
  vendorProject: 'OpenSSL',
  product: 'OpenSSL',
  vulnerabilityName: 'x',
  dateAdded: '2023-12-01',
  dueDate,
  knownRansomwareCampaignUse: false,
  requiredAction: 'Apply updates',
  shortDescription: 'x',
  notes: '',
  cwes: [],
});

describe.each(BACKENDS)('feed store on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  let clock = new Date('2026-11-01T00:00:00Z');
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());
  const store = () => createFeedStore(db, { now: () => clock });

  it('imports advisories with their packages, idempotently, and records what changed', async () => {
    const first = await store().apply(
      {
        kind: 'advisories',
        records: [advisory('DSA-4661-1', '1.1.1d-0+deb10u3'), advisory('DSA-4662-1', '1.0')],
      },
      run('debian-dsa'),
    );
    expect(first).toEqual({ added: 2, modified: 0, unchanged: 0, removed: 0, changeEvents: 2 });
    const pkgs = await db.query(
      'SELECT advisory_id, ecosystem, release, package, status, fixed_version FROM advisory_package ORDER BY advisory_id',
    );
    expect(pkgs.rows[0]).toEqual({
      advisory_id: 'DSA-4661-1',
      ecosystem: 'Debian',
      release: 'buster',
      package: 'openssl',
      status: 'fixed',
      fixed_version: '1.1.1d-0+deb10u3',
    });

    clock = new Date('2026-11-02T00:00:00Z');
    const again = await store().apply(
      {
        kind: 'advisories',
        records: [advisory('DSA-4661-1', '1.1.1d-0+deb10u3'), advisory('DSA-4662-1', '1.0')],
      },
      run('debian-dsa'),
    );
    expect(again).toEqual({ added: 0, modified: 0, unchanged: 2, removed: 0, changeEvents: 0 });

    const changed = await store().apply(
      { kind: 'advisories', records: [advisory('DSA-4661-1', '1.1.1d-0+deb10u4')] },
      run('debian-dsa'),
    );
    expect(changed).toEqual({ added: 0, modified: 1, unchanged: 0, removed: 0, changeEvents: 1 });
    const fixed = await db.query<{ fixed_version: string }>(
      `SELECT fixed_version FROM advisory_package WHERE advisory_id = 'DSA-4661-1'`,
    );
    expect(fixed.rows).toEqual([{ fixed_version: '1.1.1d-0+deb10u4' }]);

    const events = await db.query<{ kind: string; subject: string }>(
      'SELECT kind, subject FROM change_event ORDER BY id',
    );
    expect(events.rows).toEqual([
      { kind: 'advisory.new', subject: 'DSA-4661-1' },
      { kind: 'advisory.new', subject: 'DSA-4662-1' },
      { kind: 'advisory.modified', subject: 'DSA-4661-1' },
    ]);
    const status = (await store().status()).find((s) => s.source === 'debian-dsa');
    expect(status).toMatchObject({
      records: 2,
      lastStatus: 'ok',
      lastError: null,
      lastImport: '2026-11-02T00:00:00.000Z',
    });
  });

  it('is atomic: a failing import leaves the previous data and counts untouched', async () => {
    const bad = advisory('DSA-9999-1', '2.0', { classification: null as unknown as 'security' });
    await expect(
      store().apply({ kind: 'advisories', records: [advisory('DSA-4661-1', '9.9'), bad] }, run('debian-dsa')),
    ).rejects.toThrow();
    const r = await db.query<{ fixed_version: string }>(
      `SELECT fixed_version FROM advisory_package WHERE advisory_id = 'DSA-4661-1'`,
    );
    expect(r.rows).toEqual([{ fixed_version: '1.1.1d-0+deb10u4' }]);
    expect((await db.query(`SELECT 1 FROM advisory WHERE id = 'DSA-9999-1'`)).rows).toEqual([]);
  });

  it('records skipped records as a partial import and failures without touching data', async () => {
    const err: FeedRecordError = {
      file: 'list',
      record: 'line 3',
      code: 'PL_FEED_LINE_INVALID',
      reason: 'bad',
    };
    await store().apply(
      { kind: 'advisories', records: [advisory('DSA-4661-1', '1.1.1d-0+deb10u4')] },
      run('debian-dsa', [err]),
    );
    let s = (await store().status()).find((x) => x.source === 'debian-dsa');
    expect(s).toMatchObject({ lastStatus: 'partial', lastErrorCode: 'PL_FEED_LINE_INVALID', records: 2 });
    expect(s?.lastError).toContain('1 record(s) skipped; first: list line 3: bad');

    clock = new Date('2026-11-03T00:00:00Z');
    await store().recordFailure(run('debian-dsa'), { code: 'PL_FEED_NOTHING_USABLE', message: 'nothing' });
    s = (await store().status()).find((x) => x.source === 'debian-dsa');
    expect(s).toMatchObject({
      lastStatus: 'failed',
      lastErrorCode: 'PL_FEED_NOTHING_USABLE',
      records: 2,
      lastImport: '2026-11-03T00:00:00.000Z',
      lastSuccess: '2026-11-02T00:00:00.000Z',
    });
  });

  it('imports KEV and EPSS with change events for additions and jumps', async () => {
    const k1 = await store().apply(
      {
        kind: 'kev',
        records: [kev('CVE-2021-44228'), kev('CVE-2014-0160')],
        catalogVersion: '2025.08.25',
        dateReleased: null,
      },
      run('kev'),
    );
    expect(k1).toMatchObject({ added: 2, changeEvents: 2 });
    const k2 = await store().apply(
      {
        kind: 'kev',
        records: [kev('CVE-2021-44228', '2024-02-01'), kev('CVE-2014-0160')],
        catalogVersion: '2025.08.26',
        dateReleased: null,
      },
      run('kev'),
    );
    expect(k2).toEqual({ added: 0, modified: 1, unchanged: 1, removed: 0, changeEvents: 1 });

    const scores = (e: number) => ({
      modelVersion: 'v2025.03.14',
      scoreDate: '2026-08-16',
      scores: [
        { cveId: 'CVE-2021-44228', epss: e, percentile: 0.9 },
        { cveId: 'CVE-2014-0160', epss: 0.5, percentile: 0.8 },
      ],
    });
    expect(await store().apply({ kind: 'epss', file: scores(0.2) }, run('epss'))).toEqual({
      added: 2,
      modified: 0,
      unchanged: 0,
      removed: 0,
      changeEvents: 0,
    });
    expect(await store().apply({ kind: 'epss', file: scores(0.2) }, run('epss'))).toMatchObject({
      unchanged: 2,
    });
    expect(await store().apply({ kind: 'epss', file: scores(0.45) }, run('epss'))).toEqual({
      added: 0,
      modified: 1,
      unchanged: 1,
      removed: 0,
      changeEvents: 1,
    });
    const jump = await db.query<{ details: unknown }>(
      `SELECT details FROM change_event WHERE kind = 'epss.jump'`,
    );
    expect(jump.rows).toEqual([{ details: { from: 0.2, to: 0.45 } }]);
    const s = await store().status();
    expect(s.find((x) => x.source === 'epss')).toMatchObject({
      records: 2,
      meta: { modelVersion: 'v2025.03.14', scoreDate: '2026-08-16' },
    });
    expect(s.find((x) => x.source === 'kev')).toMatchObject({
      records: 2,
      meta: { catalogVersion: '2025.08.26' },
    });
    expect(s.map((x) => x.source)).toEqual([
      'osv',
      'debian-dsa',
      'debian-dla',
      'alpine-secdb',
      'kev',
      'epss',
      'cve',
      'endoflife',
    ]);
  });

  it('merges an advisory spread over files by release and package (Alpine secdb branches and repos)', async () => {
    const alpine = (entries: [string, string, string][], aliases = ['CVE-2019-1549']): Advisory => ({
      ...advisory('ALPINE-CVE-2019-1549', '0'),
      source: 'alpine-secdb',
      aliases,
      affected: entries.map(([release, pkg, fixed]) => ({
        ...advisory('x', fixed).affected[0]!,
        ecosystem: 'Alpine',
        release,
        package: pkg,
      })),
    });
    const s = store();
    const apply = (a: Advisory) =>
      s.apply({ kind: 'advisories', records: [a], mergeByRelease: true }, run('alpine-secdb'));
    const v310 = alpine([['v3.10', 'openssl', '1.1.1d-r0']]);
    const v311 = alpine([['v3.11', 'openssl', '1.1.1d-r2']]);
    const v311community = alpine([['v3.11', 'communitypkg', '2.0-r0']]);
    expect(await apply(v310)).toMatchObject({ added: 1 });
    expect(await apply(v311)).toMatchObject({ modified: 1 });
    // Another repository of the same branch keeps the first repository's package.
    expect(await apply(v311community)).toMatchObject({ modified: 1 });
    // Every file again, in any order: nothing changes, no change events.
    for (const a of [v311, v310, v311community, v310]) {
      expect(await apply(a)).toEqual({ added: 0, modified: 0, unchanged: 1, removed: 0, changeEvents: 0 });
    }
    // The v3.10 file changed: v3.11 stays.
    expect(
      await apply(alpine([['v3.10', 'openssl', '1.1.1d-r1']], ['CVE-2019-1549', 'XSA-1'])),
    ).toMatchObject({
      modified: 1,
    });
    const rows = await db.query(
      `SELECT release, package, fixed_version FROM advisory_package WHERE source = 'alpine-secdb' ORDER BY release, package`,
    );
    expect(rows.rows).toEqual([
      { release: 'v3.10', package: 'openssl', fixed_version: '1.1.1d-r1' },
      { release: 'v3.11', package: 'communitypkg', fixed_version: '2.0-r0' },
      { release: 'v3.11', package: 'openssl', fixed_version: '1.1.1d-r2' },
    ]);
    const doc = await db.query<{ aliases: string[] }>(
      `SELECT aliases FROM advisory WHERE source = 'alpine-secdb'`,
    );
    expect(doc.rows).toEqual([{ aliases: ['CVE-2019-1549', 'XSA-1'] }]);
  });

  it('removes KEV entries and EPSS scores the new full file no longer has, unless records were skipped', async () => {
    const s = store();
    const catalog = (ids: string[]) => ({
      kind: 'kev' as const,
      records: ids.map((id) => kev(id)),
      catalogVersion: null,
      dateReleased: null,
    });
    await s.apply(catalog(['CVE-2021-44228', 'CVE-2014-0160', 'CVE-2017-0144']), run('kev'));
    const skipped: FeedRecordError = {
      file: 'kev.json',
      record: 'CVE-2017-0144',
      code: 'PL_FEED_SCHEMA_INVALID',
      reason: 'bad date',
    };
    // A skipped (malformed) entry is not a removed one: nothing is pruned.
    expect(await s.apply(catalog(['CVE-2021-44228']), run('kev', [skipped]))).toMatchObject({ removed: 0 });
    // A warning does not stop pruning.
    const warning: FeedRecordError = { ...skipped, record: 'count', warning: true };
    expect(await s.apply(catalog(['CVE-2021-44228', 'CVE-2014-0160']), run('kev', [warning]))).toMatchObject({
      removed: 1,
      changeEvents: 1,
    });
    const kevRows = await db.query<{ cve_id: string }>('SELECT cve_id FROM kev ORDER BY cve_id');
    expect(kevRows.rows.map((r) => r.cve_id)).toEqual(['CVE-2014-0160', 'CVE-2021-44228']);
    const removed = await db.query(`SELECT subject FROM change_event WHERE kind = 'kev.removed'`);
    expect(removed.rows).toEqual([{ subject: 'CVE-2017-0144' }]);
    expect((await s.status()).find((x) => x.source === 'kev')).toMatchObject({
      records: 2,
      lastStatus: 'ok',
      lastError: '1 warning(s), nothing skipped; first: kev.json count: bad date',
    });

    const epss = await s.apply(
      {
        kind: 'epss',
        file: {
          modelVersion: null,
          scoreDate: null,
          scores: [{ cveId: 'CVE-2021-44228', epss: 0.2, percentile: 0.9 }],
        },
      },
      run('epss'),
    );
    expect(epss).toMatchObject({ removed: 1 });
    expect((await db.query('SELECT cve_id FROM epss')).rows).toEqual([{ cve_id: 'CVE-2021-44228' }]);
  });

  it('remembers download validators per URL', async () => {
    const s = store();
    expect(await s.downloadState('kev', 'http://x/kev.json')).toBeNull();
    await s.saveDownloadState('kev', 'http://x/kev.json', {
      etag: '"abc"',
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
      sha256: 'f00',
      bytes: 3,
    });
    await s.saveDownloadState('kev', 'http://x/kev.json', {
      etag: '"def"',
      lastModified: null,
      sha256: 'f01',
      bytes: 4,
    });
    expect(await s.downloadState('kev', 'http://x/kev.json')).toEqual({
      etag: '"def"',
      lastModified: null,
      sha256: 'f01',
    });
  });

  it('records a failure whose reason carries NUL and control bytes, cut to a bounded length', async () => {
    const quoted = `entry Debian/DSA-1.json: unexpected token in "\u0000\u0000PK\u0003\u0004\u001b[31m"`;
    const long = 'x'.repeat(10_000);
    const errors: FeedRecordError[] = [
      { file: 'all.zip\u0000', record: 'DSA-1\u0000', code: 'PL_FEED_ARCHIVE_CORRUPT', reason: quoted },
      { file: 'all.zip', record: 'DSA-2', code: 'PL_FEED_JSON_INVALID', reason: long },
    ];
    await store().recordFailure(run('osv', errors), { code: 'PL_FEED_ARCHIVE_CORRUPT', message: quoted });
    const st = (await store().status()).find((s) => s.source === 'osv');
    expect(st?.lastStatus).toBe('failed');
    expect(st?.lastError).toBe(
      'entry Debian/DSA-1.json: unexpected token in "\\x00\\x00PK\\x03\\x04\\x1b[31m"',
    );
    const r = await db.query<{ errors: FeedRecordError[] }>(
      `SELECT errors FROM import_run WHERE source = 'osv' ORDER BY id DESC LIMIT 1`,
    );
    const stored = r.rows[0]?.errors ?? [];
    expect(stored[0]).toMatchObject({ file: 'all.zip\\x00', record: 'DSA-1\\x00', reason: st?.lastError });
    expect(stored[1]?.reason.length).toBe(2000);
    expect(stored[1]?.reason.endsWith('…')).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('\\u0000');
  });
});
