// The fleet assessment in its own process, so that its peak memory is its own:
//   node bench/fleet-child.js <fixtures> [hosts] [naiveHosts]
// Prints one JSON line (the last line of stdout) with timings, counts and peak RSS.
import { adjustEntry, affects, assessHost, familyFor, lookupOf, SCHEMES, TupleCache } from '@patchloop/core';
import { buildBases, fleet, loadIntelligence } from './fleet-data.js';

const [fixtures, hostsArg = '50000', naiveArg = '1000'] = process.argv.slice(2);
const HOSTS = Number(hostsArg);
const NAIVE_HOSTS = Math.min(Number(naiveArg), HOSTS);
const NOW = new Date('2026-08-22T00:00:00Z'); // the fixtures' date: results do not depend on the clock
const mib = (bytes) => Math.round(bytes / 2 ** 20);
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

const t0 = performance.now();
const intel = await loadIntelligence(fixtures);
const bases = buildBases(fixtures, intel.advisories);
const hosts = fleet(bases);
const loadMs = performance.now() - t0;
const rssAfterLoadMiB = mib(process.memoryUsage().rss);

/** Assesses hosts [0, n) and keeps counts only (every report is dropped at once). */
function assessFleet(n, cache) {
  const perBase = Object.fromEntries(
    bases.map((b) => [b.name, { hosts: 0, packages: 0, findings: 0, fixable: 0, kev: 0 }]),
  );
  const totals = { hosts: 0, packages: 0, thirdParty: 0, findings: 0, fixable: 0, unfixed: 0, kev: 0 };
  const drifted = { older: 0, newer: 0, changedPackages: 0 };
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const h = hosts.host(i);
    const r = assessHost({
      inventory: h.inventory,
      advisories: intel.index,
      enrichment: intel.enrichment,
      now: NOW,
      cache,
    });
    const s = r.summary;
    totals.hosts++;
    totals.packages += s.packages;
    totals.thirdParty += s.thirdParty;
    totals.findings += s.findings;
    totals.fixable += s.fixable;
    totals.unfixed += s.unfixed;
    totals.kev += s.kev;
    const b = perBase[h.base.name];
    b.hosts++;
    b.packages += s.packages;
    b.findings += s.findings;
    b.fixable += s.fixable;
    b.kev += s.kev;
    if (h.drift < 0) drifted.older++;
    if (h.drift > 0) drifted.newer++;
    drifted.changedPackages += h.changed;
  }
  return { ms: performance.now() - start, totals, perBase, drifted };
}

/**
 * The straightforward loop: every package of every host against every index
 * entry for its (ecosystem, release, name), `affects()` each time, no cache.
 * Counts (advisory, installed package) matches as assessHost's findings do.
 */
function naiveLoop(n) {
  const start = performance.now();
  let matches = 0;
  let affectsCalls = 0;
  for (let i = 0; i < n; i++) {
    const { inventory } = hosts.host(i);
    const os = inventory.os;
    const family = familyFor(os);
    const scheme = SCHEMES[family.scheme];
    const targets = family.targets(os);
    const seen = new Set();
    for (const pkg of inventory.packages) {
      if (family.thirdParty(pkg, os) !== null) continue;
      const { name, version } = lookupOf(family, pkg);
      if (scheme.validate(version) !== null) continue;
      for (const target of targets) {
        for (const release of target.releases) {
          for (const entry of intel.index.entries(target.ecosystem, release, name)) {
            const affected = adjustEntry(family, entry.affected, target, os, pkg.epochKnown === false);
            affectsCalls++;
            let hit;
            try {
              hit = affects(affected, version, scheme).affected;
            } catch {
              continue;
            }
            if (!hit) continue;
            const k = `${entry.advisory.source}\u0000${entry.advisory.id}\u0000${pkg.name}\u0000${pkg.arch ?? ''}`;
            if (!seen.has(k)) {
              seen.add(k);
              matches++;
            }
          }
        }
      }
    }
  }
  return { ms: performance.now() - start, matches, affectsCalls };
}

// Warm-up: a handful of hosts of every kind, on a throwaway cache, so the
// timed run measures the engine and not the JIT's first minutes.
assessFleet(Math.min(200, HOSTS), new TupleCache());

const cache = new TupleCache();
const full = assessFleet(HOSTS, cache);
const fleetMaxRssMiB = maxRssMiB();
const cacheStats = { size: cache.size, hits: cache.hits, misses: cache.misses };

// The same first NAIVE_HOSTS hosts three more ways.
const engineSliceCold = assessFleet(NAIVE_HOSTS, new TupleCache());
const assessNoCache = assessFleet(NAIVE_HOSTS, undefined);
const naive = naiveLoop(NAIVE_HOSTS);

console.log(
  JSON.stringify({
    hosts: HOSTS,
    naiveHosts: NAIVE_HOSTS,
    loadMs: Math.round(loadMs),
    rssAfterLoadMiB,
    maxRssMiB: fleetMaxRssMiB,
    intel: {
      advisories: intel.advisories.length,
      entries: intel.entries,
      sets: intel.sets,
      counts: intel.counts,
    },
    bases: bases.map((b) => ({
      name: b.name,
      label: b.label,
      share: b.share,
      os: `${b.os.id} ${b.os.versionId}`,
      packages: b.packages.length,
      real: b.real,
      fromAdvisories: b.fromAdvisories,
      clones: b.clones,
    })),
    full: { ...full, ms: Math.round(full.ms) },
    cache: cacheStats,
    slice: {
      engineCold: { ms: Math.round(engineSliceCold.ms), findings: engineSliceCold.totals.findings },
      assessNoCache: { ms: Math.round(assessNoCache.ms), findings: assessNoCache.totals.findings },
      naive: { ms: Math.round(naive.ms), matches: naive.matches, affectsCalls: naive.affectsCalls },
    },
  }),
);
