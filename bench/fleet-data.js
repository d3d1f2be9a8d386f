// Data for the fleet benchmark: every fixture advisory and enrichment set,
// parsed with @patchloop/feeds, and a deterministic synthetic fleet built
// from the real inventories in ../shared/fixtures/inventories.
//
// A host is not stored: it is (base inventory, seed). Its package array is
// built on the fly from the shared base plus a few per-host overrides, then
// dropped, so 50,000 hosts × ~1,000 packages never sit in memory at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apk,
  debian,
  enrichmentFrom,
  indexAdvisories,
  parseDpkgStatus,
  parseInventoryCsv,
  parseOsSpec,
  parseRpmManifest,
  rpm,
} from '@patchloop/core';
import { IMPORTERS, streamFeedPath } from '@patchloop/feeds';

/** Fixture advisory sets, all assessed together. */
export const ADVISORY_SETS = [
  ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
  ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
  ['osv', 'osv-almalinux/almalinux9'],
  ['alpine-secdb', 'alpine-secdb'],
  ['osv', 'osv-ubuntu'],
];

const ENRICHMENT_SETS = [
  ['kev', 'kev/known_exploited_vulnerabilities.json'],
  ['epss', 'epss/epss_scores-2026-08-16.csv'],
  ['cve', 'cve-records/vulnrichment-cve5-sample.jsonl'],
  ['endoflife', 'endoflife/json'],
];

/** Every file of a fixture set, read whole (the fixtures are small). */
export async function readFixtureFiles(path, accept, errors) {
  const files = [];
  for await (const f of streamFeedPath(path, { accept }, errors)) files.push(f);
  return files;
}

async function parseSet(fixtures, source, rel) {
  const errors = [];
  const files = await readFixtureFiles(join(fixtures, rel), IMPORTERS[source].accept, errors);
  const r = IMPORTERS[source].parse(files);
  return { batch: r.batch, records: r.records, skipped: r.errors.length + errors.length };
}

/** Parses every advisory and enrichment fixture; one index, one enrichment source. */
export async function loadIntelligence(fixtures) {
  const advisories = [];
  const sets = [];
  for (const [source, rel] of ADVISORY_SETS) {
    const r = await parseSet(fixtures, source, rel);
    if (r.batch) advisories.push(...r.batch.records);
    sets.push({ source, rel, records: r.records, skipped: r.skipped });
  }
  const enr = {};
  for (const [source, rel] of ENRICHMENT_SETS) {
    const r = await parseSet(fixtures, source, rel);
    if (source === 'epss') enr.epss = r.batch?.file.scores ?? [];
    else if (source === 'cve') enr.cves = r.batch?.records ?? [];
    else if (source === 'kev') enr.kev = r.batch?.records ?? [];
    else enr.eol = r.batch?.records ?? [];
    sets.push({ source, rel, records: r.records, skipped: r.skipped });
  }
  const index = indexAdvisories(advisories);
  let entries = 0;
  for (const a of advisories) entries += a.affected.length;
  return {
    advisories,
    index,
    entries,
    enrichment: enrichmentFrom(enr),
    sets,
    counts: { cves: enr.cves.length, kev: enr.kev.length, epss: enr.epss.length, eol: enr.eol.length },
  };
}

/** mulberry32: a small seeded PRNG (deterministic, uniform in [0, 1)). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The highest fixed version per package of the advisory entries for one (ecosystem, release). */
function maxFixed(advisories, ecosystem, release, scheme, transform = (v) => v) {
  const best = new Map();
  for (const a of advisories) {
    for (const af of a.affected) {
      if (af.ecosystem !== ecosystem || af.release !== release || af.fixedVersion === null) continue;
      const v = transform(af.fixedVersion);
      if (scheme.validate(v) !== null) continue;
      const cur = best.get(af.package);
      if (cur === undefined || scheme.compare(v, cur) > 0) best.set(af.package, v);
    }
  }
  return best;
}

const CLONE_SUFFIXES = {
  debian: ['-doc', '-dev', '-common', '-data', '-utils', '-dbg', '-tools', '-bin', '-examples', '-l10n'],
  rpm: ['-devel', '-libs', '-doc', '-tools', '-common', '-utils', '-static', '-help'],
  apk: ['-doc', '-dev', '-openrc', '-libs', '-utils', '-bash-completion', '-lang', '-static'],
};

/**
 * Pads `packages` to `target`: first with the packages an advisory set
 * names (real names, at their highest fixed version: a patched host), then
 * with sub-packages of installed ones (`libfoo-doc`: same source, same version).
 */
function pad(packages, target, scheme, { fromAdvisories = null, vendor = null, arch, seed }) {
  const out = [...packages];
  const names = new Set(out.map((p) => p.name));
  const sources = new Set(out.map((p) => p.sourceName));
  const rnd = prng(seed);
  let fromAdv = 0;
  if (fromAdvisories) {
    const candidates = [...fromAdvisories.keys()].filter((n) => !names.has(n) && !sources.has(n)).sort();
    // Deterministic shuffle, then take what is needed.
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    for (const name of candidates) {
      if (out.length >= target) break;
      const version = fromAdvisories.get(name);
      out.push({ name, version, arch, sourceName: name, sourceVersion: version, vendor });
      names.add(name);
      fromAdv++;
    }
  }
  let clones = 0;
  const suffixes = CLONE_SUFFIXES[scheme];
  for (let s = 0; out.length < target && s < suffixes.length; s++) {
    const originals = out.slice(0, out.length);
    for (const p of originals) {
      if (out.length >= target) break;
      if (rnd() < 0.5) continue;
      const name = p.name + suffixes[s];
      if (names.has(name)) continue;
      names.add(name);
      out.push({ ...p, name });
      clones++;
    }
  }
  return { packages: out, fromAdvisories: fromAdv, clones };
}

function unionByName(...lists) {
  const seen = new Set();
  const out = [];
  for (const list of lists) {
    for (const p of list) {
      const k = `${p.name}\u0000${p.arch ?? ''}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

/**
 * The base inventories of the fleet, each ~`target` packages, and their
 * share of hosts. Real packages first; what padding added is counted.
 */
export function buildBases(fixtures, advisories, target = 1000) {
  const inv = (p) => readFileSync(join(fixtures, 'inventories', p), 'utf8');
  const bases = [];
  const add = (name, label, share, osSpec, scheme, real, padOpts) => {
    const padded = pad(real, target, scheme, padOpts);
    bases.push({
      name,
      label,
      share,
      os: parseOsSpec(osSpec),
      manager: { debian: 'dpkg', rpm: 'rpm', apk: 'apk' }[scheme],
      scheme,
      packages: padded.packages,
      real: real.length,
      fromAdvisories: padded.fromAdvisories,
      clones: padded.clones,
    });
  };
  add(
    'debian12',
    'Debian 12 build host (dpkg status)',
    0.4,
    'debian:12',
    'debian',
    parseDpkgStatus(inv('raw/debian12-bookworm-host.dpkg-status')),
    { arch: 'amd64', seed: 12 },
  );
  add(
    'debian10',
    'Debian 10 image (trivy golden)',
    0.15,
    'debian:10',
    'debian',
    parseInventoryCsv(inv('normalized/debian-buster.csv')).packages,
    { arch: 'amd64', seed: 10, fromAdvisories: maxFixed(advisories, 'Debian', 'buster', debian) },
  );
  add(
    'ubuntu1804',
    'Ubuntu 18.04 (claircore texlive + trivy dpkg status)',
    0.1,
    'ubuntu:18.04',
    'debian',
    unionByName(
      parseDpkgStatus(inv('raw/ubuntu-18.04-claircore-texlive.dpkg-status')),
      parseDpkgStatus(inv('raw/ubuntu-18.04-trivy-dpkg-status')),
    ),
    { arch: 'amd64', seed: 1804 },
  );
  add(
    'rhel9',
    'RHEL 9 (UBI 9 httpd-24 + nodejs rpm manifests)',
    0.25,
    'rhel:9',
    'rpm',
    unionByName(
      parseRpmManifest(inv('raw/rhel-claircore-httpd-24_9.5-1734525854.rpm-manifest.json')),
      parseRpmManifest(inv('raw/rhel-claircore-nodejs.rpm-manifest.json')),
    ),
    {
      arch: 'x86_64',
      seed: 9,
      vendor: '199e2f91fd431d51',
      // The host is RHEL: AlmaLinux's ".alma.N" rebuild suffix is not in its versions.
      fromAdvisories: maxFixed(advisories, 'AlmaLinux', '9', rpm, (v) => v.replace(/\.alma(\.\d+)?$/, '')),
    },
  );
  add(
    'alpine310',
    'Alpine 3.10 image (trivy golden)',
    0.1,
    'alpine:3.10.2',
    'apk',
    parseInventoryCsv(inv('normalized/alpine-310.csv')).packages,
    { arch: 'x86_64', seed: 310, fromAdvisories: maxFixed(advisories, 'Alpine', 'v3.10', apk) },
  );
  return bases;
}

/** The number inside a version that a one-step upgrade or downgrade changes: the package revision. */
function revisionDigits(version, scheme) {
  if (scheme === 'apk') {
    const m = /-r(\d+)$/.exec(version);
    return m ? { start: m.index + 2, end: version.length } : lastDigits(version, 0);
  }
  const dash = version.lastIndexOf('-');
  if (scheme === 'rpm') {
    // rpm: the first number of the release ("27" in "27.el9_5.1"), never the dist tag's.
    const m = /^\d+/.exec(version.slice(dash + 1));
    return m ? { start: dash + 1, end: dash + 1 + m[0].length } : lastDigits(version, 0);
  }
  // Debian: the last number of the revision ("4" in "9+deb12u4", "3" in "1ubuntu0.3"), else of the version.
  return lastDigits(version, dash + 1);
}

function lastDigits(s, from) {
  let end = s.length;
  while (end > from && !(s.charCodeAt(end - 1) >= 48 && s.charCodeAt(end - 1) <= 57)) end--;
  let start = end;
  while (start > from && s.charCodeAt(start - 1) >= 48 && s.charCodeAt(start - 1) <= 57) start--;
  return start < end ? { start, end } : null;
}

/** One or two revisions older (delta < 0) or newer: "+deb12u4" → "+deb12u3", "27.el9" → "25.el9". */
export function shiftVersion(version, delta, scheme) {
  const d = revisionDigits(version, scheme);
  if (d === null) return version;
  let n = Number(version.slice(d.start, d.end)) + delta;
  if (n < 0) n = -delta; // cannot go below 0: go the other way
  return version.slice(0, d.start) + String(n) + version.slice(d.end);
}

function shiftPackage(p, delta, scheme) {
  const sourceVersion = shiftVersion(p.sourceVersion, delta, scheme);
  let version;
  if (p.version === p.sourceVersion) version = sourceVersion;
  else if (p.version.startsWith(p.sourceVersion))
    version = sourceVersion + p.version.slice(p.sourceVersion.length); // binNMU "+b1" kept
  else version = shiftVersion(p.version, delta, scheme);
  return { ...p, version, sourceVersion };
}

/**
 * The fleet: host i is a pure function of (i, seed). 94 % of hosts are
 * their base inventory exactly; 4 % lag (5–50 packages one or two revisions
 * older), 2 % run ahead (5–30 packages one or two revisions newer).
 */
export function fleet(bases, seed = 20260822) {
  const cumulative = [];
  let acc = 0;
  for (const b of bases) cumulative.push((acc += b.share));
  const pick = (x) => bases[cumulative.findIndex((c) => x * acc < c)] ?? bases[bases.length - 1];
  // Shifted copies are cached per (base, index, delta): hosts that drift the same way share objects.
  const shifted = new Map();
  return {
    host(i) {
      const rnd = prng(Math.imul(i + 1, 0x9e3779b1) ^ seed);
      const base = pick(rnd());
      const r = rnd();
      let drift = 0;
      let n = 0;
      if (r < 0.04) {
        drift = -1;
        n = 5 + Math.floor(rnd() * 46);
      } else if (r < 0.06) {
        drift = 1;
        n = 5 + Math.floor(rnd() * 26);
      }
      let packages = base.packages;
      if (n > 0) {
        packages = packages.slice();
        for (let k = 0; k < n; k++) {
          const idx = Math.floor(rnd() * packages.length);
          const delta = drift * (rnd() < 0.7 ? 1 : 2);
          const key = `${base.name}:${idx}:${delta}`;
          let p = shifted.get(key);
          if (p === undefined) shifted.set(key, (p = shiftPackage(base.packages[idx], delta, base.scheme)));
          packages[idx] = p;
        }
      }
      return {
        base,
        drift,
        changed: n,
        inventory: { os: base.os, manager: base.manager, packages, kernel: null },
      };
    },
  };
}
