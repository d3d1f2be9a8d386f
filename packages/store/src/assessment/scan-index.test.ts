import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Advisory } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { createFeedStore } from '../feeds/feed-store.js';
import { loadScanData } from './scan-data.js';
import { readScanIndex, removeScanIndex, SCAN_INDEX_DIR, writeScanIndex } from './scan-index.js';

const advisory = (id: string, release: string, pkg: string, withdrawn: string | null = null): Advisory => ({
  id,
  source: 'debian-dsa',
  aliases: ['CVE-2021-44228'],
  related: [],
  published: '2021-12-10',
  modified: '2021-12-10',
  withdrawn,
  summary: `${pkg} - security update`,
  details: '',
  classification: 'security',
  severity: null,
  affected: [
    {
      ecosystem: 'Debian',
      release,
      package: pkg,
      packageKind: 'source',
      status: 'fixed',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0-1' }] }],
      versions: [],
      fixedVersion: '2.0-1',
      severity: null,
    },
  ],
  references: [],
  url: null,
});

describe.each(BACKENDS)('scan index on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  let dir: string;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
    dir = mkdtempSync(join(tmpdir(), 'pl-index-'));
    const run = { source: 'debian-dsa' as const, origin: 't', startedAt: new Date(), errors: [] };
    const records = [
      advisory('DSA-1-1', 'buster', 'apache-log4j2'),
      advisory('DSA-2-1', 'buster', 'openssl'),
      advisory('DSA-3-1', 'bullseye', 'openssl'),
      advisory('DSA-4-1', 'buster', 'openssl', '2022-01-01'),
    ];
    await createFeedStore(db).apply({ kind: 'advisories', records }, run);
    await createFeedStore(db).apply(
      {
        kind: 'kev',
        records: [
          {
            cveId: 'CVE-2021-44228',
            vendorProject: 'Apache',
            product: 'Log4j2',
            vulnerabilityName: 'Log4Shell',
            dateAdded: '2021-12-10',
            dueDate: '2021-12-24',
            knownRansomwareCampaignUse: true,
            requiredAction: '',
            shortDescription: '',
            notes: '',
            cwes: [],
          },
        ],
        catalogVersion: null,
        dateReleased: null,
      },
      { ...run, source: 'kev' },
    );
  });
  afterAll(async () => {
    await done();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = {
    targets: [{ ecosystem: 'Debian', releases: ['buster', '10'] }],
    packages: ['openssl', 'zlib'],
    eolProduct: 'debian',
  };

  it('gives a scan what the store gives it, without the store', async () => {
    expect(readScanIndex(dir, request)).toBeNull();
    expect(await writeScanIndex(db, dir)).toEqual({ groups: 2 });
    const fromIndex = readScanIndex(dir, request);
    const fromStore = await loadScanData(db, request);
    expect(fromIndex?.advisories.map((a) => a.id)).toEqual(['DSA-2-1']); // not log4j2, not withdrawn, not bullseye
    expect(fromIndex?.advisories).toEqual(fromStore.advisories);
    expect(fromIndex?.kev.map((k) => k.cveId)).toEqual(['CVE-2021-44228']);
    expect(fromIndex?.advisoriesPerTarget[0]?.count).toBeGreaterThan(0);
  });

  it('is gone once removed, and an index without its manifest is never read', async () => {
    await writeScanIndex(db, dir);
    rmSync(join(dir, SCAN_INDEX_DIR, 'manifest.json'));
    expect(readScanIndex(dir, request)).toBeNull();
    removeScanIndex(dir);
    expect(existsSync(join(dir, SCAN_INDEX_DIR))).toBe(false);
  });
});
