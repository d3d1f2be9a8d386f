/**
 * The scan-data cache the server's assessor reads through: on the real Debian
 * lists and a real inventory on two releases, it must give the engine exactly what
 * `loadScanData` gives it (same findings, field by field, same end-of-life
 * answer), and read each advisory document once however many hosts need it.
 */
import {
  assessHost,
  enrichmentFrom,
  familyFor,
  indexAdvisories,
  lookupOf,
  parseInventoryCsv,
  TupleCache,
  type InstalledPackage,
  type OsIdentity,
} from '@patchloop/core';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, loadScanData, ScanDataCache, type Db } from '@patchloop/store';
import { DEBIAN_OS, facts } from '@patchloop/test-support/agent-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichmentFiles } from './enrichment.js';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const NOW = new Date('2026-12-01T00:00:00Z');
/** The second release: the fixture lists carry bullseye (DSA) but no bookworm entries. */
const BULLSEYE: OsIdentity = {
  id: 'debian',
  versionId: '11',
  codename: 'bullseye',
  prettyName: 'Debian GNU/Linux 11 (bullseye)',
};

function request(os: OsIdentity, packages: readonly InstalledPackage[]) {
  const family = familyFor(os);
  if (!family) throw new Error(`no family for ${os.id}`);
  return {
    targets: family.targets(os),
    packages: packages.map((p) => lookupOf(family, p).name),
    eolProduct: family.eolCycle(os)?.product ?? null,
  };
}

const inventoryOf = (os: OsIdentity, packages: readonly InstalledPackage[]) => ({
  manager: 'dpkg' as const,
  os,
  packages,
  kernel: facts('x', os).kernel.running,
});

/** The engine on what `loadScanData` reads for this host alone. */
async function uncached(db: Db, os: OsIdentity, packages: readonly InstalledPackage[]) {
  const data = await loadScanData(db, request(os, packages));
  const report = assessHost({
    inventory: inventoryOf(os, packages),
    os,
    advisories: indexAdvisories(data.advisories),
    enrichment: enrichmentFrom(data),
    now: NOW,
  });
  return { report, advisoriesPerTarget: data.advisoriesPerTarget };
}

/** The engine as the assessor runs it: one scan-data cache and one tuple cache for every host. */
async function cached(
  db: Db,
  caches: { data: ScanDataCache; tuples: TupleCache },
  os: OsIdentity,
  packages: readonly InstalledPackage[],
) {
  const data = await caches.data.load(db, request(os, packages));
  const report = assessHost({
    inventory: inventoryOf(os, packages),
    os,
    advisories: data.advisories,
    enrichment: data.enrichment,
    now: NOW,
    cache: caches.tuples,
  });
  return { report, advisoriesPerTarget: data.advisoriesPerTarget };
}

describe.each(BACKEND_NAMES)('scan-data cache on %s', (backend) => {
  let h: Harness;
  let buster: InstalledPackage[];
  beforeAll(async () => {
    h = await startHarness(backend);
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
      ['endoflife', 'endoflife/json/debian.json'],
    ]);
    buster = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];
    // Enrichment for a CVE both releases' findings name: a KEV entry and a critical CVE record.
    const first = (await uncached(h.db, DEBIAN_OS.buster, buster)).report.findings.find((f) =>
      f.advisory.aliases.some((a) => a.startsWith('CVE-')),
    );
    const cve = first?.advisory.aliases.find((a) => a.startsWith('CVE-'));
    if (!cve) throw new Error('no buster finding with a CVE');
    const files = enrichmentFiles(cve, cve);
    for (const [source, path] of [
      ['kev', files.kev],
      ['cve', files.cve],
    ] as const) {
      expect((await importFeed(source, path, createFeedStore(h.db))).exitCode).toBe(0);
    }
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });

  it('gives the engine what loadScanData gives it, host after host', async () => {
    const caches = { data: new ScanDataCache(), tuples: new TupleCache() };
    for (const [os, packages] of [
      [DEBIAN_OS.buster, buster],
      [BULLSEYE, buster],
      [DEBIAN_OS.buster, buster.slice(0, 200)],
    ] as const) {
      const want = await uncached(h.db, os, packages);
      const got = await cached(h.db, caches, os, packages);
      expect(want.report.findings.length).toBeGreaterThan(0);
      expect(got.report.findings).toEqual(want.report.findings);
      expect(got.report.host).toEqual(want.report.host);
      expect(got.advisoriesPerTarget).toEqual(want.advisoriesPerTarget);
    }
    // The enrichment imported above reaches the cached findings.
    const buster2 = await cached(h.db, caches, DEBIAN_OS.buster, buster);
    expect(buster2.report.findings.some((f) => f.kev !== null && f.cvss !== null)).toBe(true);
  });

  it('reads an advisory document once, however many hosts name it', async () => {
    const data = new ScanDataCache();
    await data.load(h.db, request(DEBIAN_OS.buster, buster));
    const first = data.docsRead;
    expect(first).toBeGreaterThan(0);
    await data.load(h.db, request(DEBIAN_OS.buster, buster));
    await data.load(h.db, request(DEBIAN_OS.buster, buster.slice(10, 300)));
    expect(data.docsRead).toBe(first);
    // Another release reads its own documents; cleared, the cache reads again.
    await data.load(h.db, request(BULLSEYE, buster));
    expect(data.docsRead).toBeGreaterThan(first);
    const both = data.docsRead;
    data.clear();
    await data.load(h.db, request(DEBIAN_OS.buster, buster));
    expect(data.docsRead).toBe(both + first);
  });

  it('starts over past its bound instead of growing', async () => {
    const data = new ScanDataCache(10);
    await data.load(h.db, request(DEBIAN_OS.buster, buster));
    expect(data.size).toBeGreaterThan(10);
    await data.load(h.db, request(DEBIAN_OS.buster, buster.slice(0, 5)));
    const fresh = new ScanDataCache();
    await fresh.load(h.db, request(DEBIAN_OS.buster, buster.slice(0, 5)));
    expect(data.size).toBe(fresh.size); // what five packages need, nothing kept from before
  });
});
